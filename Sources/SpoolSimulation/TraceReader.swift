import Foundation
import SpoolCore

/// Reads a workload from CSV. The first non-comment line must be the header, exactly:
///
///     arrival_seconds,tenant,class,preset,seconds_gpu,seconds_cpu
///
/// - `arrival_seconds`: seconds since the trace's start, ≥ 0 (rows may come in any order).
/// - `tenant`: any non-empty name without commas.
/// - `class`: `realtime`, `standard` or `batch`.
/// - `preset`: a built-in preset (`Presets.all`), run with acceleration `auto`.
/// - `seconds_gpu`: run time on a GPU with NVENC, > 0.
/// - `seconds_cpu`: run time on the host CPU, > 0; also used for NVDEC with a host encode, which the host bounds.
///
/// Blank lines and lines starting with `#` are skipped. The trace lasts until its last arrival.
public struct TraceReader: Sendable {
    public static let header = ["arrival_seconds", "tenant", "class", "preset", "seconds_gpu", "seconds_cpu"]

    public init() {}

    public func read(_ text: String, name: String = "trace") throws(TraceError) -> Workload {
        var kinds: [JobKind] = []
        var kindIndex: [String: Int] = [:]
        var jobs: [SimulatedJob] = []
        var sawHeader = false
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.trimmingCharacters(in: .whitespacesAndCarriageReturns)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespacesAndCarriageReturns)
            }
            guard sawHeader else {
                guard fields == Self.header else {
                    throw TraceError(
                        line: lineNumber,
                        message: "expected the header '\(Self.header.joined(separator: ","))', found '\(line)'")
                }
                sawHeader = true
                continue
            }
            guard fields.count == Self.header.count else {
                throw TraceError(
                    line: lineNumber,
                    message: "expected \(Self.header.count) comma-separated fields "
                        + "(\(Self.header.joined(separator: ","))), found \(fields.count)")
            }
            let arrival = try number(fields[0], column: "arrival_seconds", line: lineNumber, allowZero: true)
            let tenant = fields[1]
            guard !tenant.isEmpty else {
                throw TraceError(line: lineNumber, message: "tenant is empty; give the job's tenant a name")
            }
            guard let serviceClass = ServiceClass(rawValue: fields[2]) else {
                throw TraceError(
                    line: lineNumber,
                    message: "class '\(fields[2])' is unknown; use realtime, standard or batch")
            }
            let preset = fields[3]
            guard Presets.named(preset) != nil else {
                throw TraceError(
                    line: lineNumber,
                    message: "preset '\(preset)' is unknown; use one of "
                        + Presets.all.map(\.name).joined(separator: ", "))
            }
            let gpu = try number(fields[4], column: "seconds_gpu", line: lineNumber, allowZero: false)
            let cpu = try number(fields[5], column: "seconds_cpu", line: lineNumber, allowZero: false)
            let index: Int
            if let known = kindIndex[preset] {
                index = known
            } else {
                index = kinds.count
                kinds.append(JobKind(preset: preset))
                kindIndex[preset] = index
            }
            jobs.append(
                SimulatedJob(
                    arrivalSeconds: arrival, tenant: tenant, serviceClass: serviceClass, kind: index,
                    durations: JobDurations(nvencSeconds: gpu, nvdecWithCPUSeconds: cpu, cpuSeconds: cpu)))
        }
        guard sawHeader else {
            throw TraceError(
                line: max(lineNumber, 1),
                message: "the trace is empty; start it with the header "
                    + "'\(Self.header.joined(separator: ","))'")
        }
        let duration = jobs.map(\.arrivalSeconds).max() ?? 0
        return Workload(name: name, durationSeconds: duration, kinds: kinds, jobs: jobs)
    }

    private func number(_ text: String, column: String, line: Int, allowZero: Bool) throws(TraceError) -> Double {
        guard let value = Double(text), value.isFinite else {
            throw TraceError(line: line, message: "\(column) '\(text)' is not a number; write seconds such as 240")
        }
        guard allowZero ? value >= 0 : value > 0 else {
            throw TraceError(
                line: line,
                message: "\(column) is \(text); it must be \(allowZero ? "zero or more" : "more than zero") seconds")
        }
        return value
    }
}

extension CharacterSet {
    fileprivate static let whitespacesAndCarriageReturns = CharacterSet.whitespaces.union(["\r"])
}
