import Foundation
import SpoolCore

/// The nvidia-smi query Spool runs and its parser. nvidia-smi does not report NVENC/NVDEC engine counts, so those
/// come from the model name through `GPUModelCatalog`.
public enum NvidiaSMI {
    public static let queryFields = [
        "index", "uuid", "name", "driver_version", "memory.total", "memory.used", "utilization.gpu",
        "temperature.gpu", "power.draw", "power.limit", "utilization.encoder", "utilization.decoder",
    ]

    public static var arguments: [String] {
        ["--query-gpu=" + queryFields.joined(separator: ","), "--format=csv,noheader,nounits"]
    }

    /// One GPU per non-empty line, fields in `queryFields` order. "[N/A]", "[Not Supported]" and the like become
    /// nil (or 0 MiB for memory, which MIG and some virtual GPUs do not report).
    public static func parse(csv: String) throws -> [GPUDevice] {
        var devices: [GPUDevice] = []
        for (offset, rawLine) in csv.split(whereSeparator: \.isNewline).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty else { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count == queryFields.count else {
                throw NvidiaSMIParseError(
                    line: offset + 1,
                    message: "expected \(queryFields.count) comma-separated fields, found \(fields.count): \(line)")
            }
            guard let index = Int(fields[0]) else {
                throw NvidiaSMIParseError(line: offset + 1, message: "GPU index '\(fields[0])' is not a number")
            }
            let name = fields[2]
            devices.append(
                GPUDevice(
                    index: index, uuid: fields[1], name: name, driverVersion: text(fields[3]),
                    memoryTotalMiB: number(fields[4]).map { Int($0) } ?? 0,
                    memoryUsedMiB: number(fields[5]).map { Int($0) } ?? 0,
                    utilizationPercent: number(fields[6]), temperatureC: number(fields[7]),
                    powerDrawW: number(fields[8]), powerLimitW: number(fields[9]),
                    encoderUtilizationPercent: number(fields[10]), decoderUtilizationPercent: number(fields[11]),
                    engines: GPUModelCatalog.engines(forModel: name)))
        }
        return devices
    }

    /// nvidia-smi marks values it cannot give in brackets: "[N/A]", "[Not Supported]", "[Unknown Error]".
    private static func isMissing(_ field: String) -> Bool {
        field.isEmpty || field.hasPrefix("[") || field == "N/A"
    }

    private static func text(_ field: String) -> String? { isMissing(field) ? nil : field }

    private static func number(_ field: String) -> Double? {
        guard !isMissing(field), let value = Double(field), value.isFinite else { return nil }
        return value
    }
}

/// nvidia-smi printed something that is not the CSV Spool asked for.
public struct NvidiaSMIParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var message: String

    public var description: String { "nvidia-smi output line \(line): \(message)" }
}
