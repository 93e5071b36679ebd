import Foundation
import SpoolCore

/// What placement reads of a queued job, kept beside its body in the job hash (field `sch`) as one line of
/// unit-separated fields: decoding a thousand of these per cycle costs microseconds, decoding a thousand job bodies
/// costs the cycle. Written at submit, and again by any transition that changes what it holds (a degradation).
enum QueuedJobRecord {
    static let separator: Character = "\u{1F}"
    static let separatorByte: UInt8 = 0x1F
    /// Records of an unknown format decode as nil, so their jobs are read from the body instead.
    static let format = "3"
    /// Format 2 (before the trace context was kept) is still read: its fields are format 3's without `traceparent`.
    static let previousFormat = "2"

    static func encode(_ job: Job) -> String {
        let spec = job.spec
        let shape = WorkloadShape(spec: spec)
        let fields: [String] = [
            format, spec.tenant.rawValue, spec.serviceClass.rawValue, String(spec.priority), spec.pool ?? "",
            spec.acceleration.rawValue, spec.preset ?? "", String(shape.videoEncodes), String(shape.outputPixels),
            String(shape.inputPixels), shape.hasThumbnails ? "1" : "0",
            String(job.createdAt.timeIntervalSinceReferenceDate), spec.degradation.rawValue, job.encoderSpeed.rawValue,
            spec.traceParent ?? "",
            // Last, since it is the one free-form field: it may hold the separator, and decoding gives it the rest.
            spec.input.description,
        ]
        return fields.joined(separator: String(separator))
    }

    /// nil when the record is missing or not understood; the caller reads the job body instead.
    static func decode(_ text: String, id: JobID, version: Int) -> QueuedJob? {
        // Split on the bytes, not on Characters: a leader decodes every submission once, and grapheme breaking
        // cost more than the rest of the decoding (the separator is ASCII, so the fields are the same).
        func split(_ maxSplits: Int) -> [Substring] {
            text.utf8.split(separator: separatorByte, maxSplits: maxSplits, omittingEmptySubsequences: false)
                .map { Substring($0) }
        }
        var fields = split(15)
        if fields.first == Substring(previousFormat) {
            fields = split(14)
            guard fields.count == 15 else { return nil }
            fields.insert("", at: 14)
        } else if fields.first != Substring(format) {
            return nil
        }
        guard fields.count == 16, let serviceClass = ServiceClass(rawValue: String(fields[2])),
            let priority = Int(fields[3]), let acceleration = Acceleration(rawValue: String(fields[5])),
            let encodes = Int(fields[7]), let outputPixels = Int(fields[8]), let inputPixels = Int(fields[9]),
            let created = Double(fields[11]), let consent = DegradationConsent(rawValue: String(fields[12])),
            let speed = EncoderSpeed(rawValue: String(fields[13]))
        else { return nil }
        return QueuedJob(
            id: id, version: version, tenant: TenantID(rawValue: String(fields[1])), serviceClass: serviceClass,
            priority: priority, pool: fields[4].isEmpty ? nil : String(fields[4]), acceleration: acceleration,
            preset: fields[6].isEmpty ? nil : String(fields[6]),
            shape: WorkloadShape(
                videoEncodes: encodes, outputPixels: outputPixels, inputPixels: inputPixels,
                hasThumbnails: fields[10] == "1"),
            input: String(fields[15]), createdAt: Date(timeIntervalSinceReferenceDate: created), degradation: consent,
            encoderSpeed: speed, traceParent: fields[14].isEmpty ? nil : String(fields[14]))
    }
}
