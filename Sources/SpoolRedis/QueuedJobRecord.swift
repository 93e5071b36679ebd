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
        var text = text
        return text.withUTF8 { decode(UnsafeRawBufferPointer($0), id: id, version: version) }
    }

    /// Decodes on the bytes: a leader decodes every submission once, and splitting the text (grapheme breaking, a
    /// substring per field) cost more than the rest of the decoding. The separator is ASCII, so the fields are the
    /// same as the text's; only the free-form fields become strings.
    static func decode(_ bytes: UnsafeRawBufferPointer, id: JobID, version: Int) -> QueuedJob? {
        let record = Fields(bytes)
        var fields = record.split(maxSplits: 15)
        if record.isText(fields[0], previousFormat) {
            fields = record.split(maxSplits: 14)
            guard fields.count == 15 else { return nil }
            fields.insert(fields[14].upperBound..<fields[14].upperBound, at: 14)
        } else if !record.isText(fields[0], format) {
            return nil
        }
        guard fields.count == 16, let serviceClass = ServiceClass(rawValue: record.text(fields[2])),
            let priority = record.integer(fields[3]), let acceleration = Acceleration(rawValue: record.text(fields[5])),
            let encodes = record.integer(fields[7]), let outputPixels = record.integer(fields[8]),
            let inputPixels = record.integer(fields[9]), let created = Double(record.text(fields[11])),
            let consent = DegradationConsent(rawValue: record.text(fields[12])),
            let speed = EncoderSpeed(rawValue: record.text(fields[13]))
        else { return nil }
        return QueuedJob(
            id: id, version: version, tenant: TenantID(rawValue: record.text(fields[1])), serviceClass: serviceClass,
            priority: priority, pool: fields[4].isEmpty ? nil : record.text(fields[4]), acceleration: acceleration,
            preset: fields[6].isEmpty ? nil : record.text(fields[6]),
            shape: WorkloadShape(
                videoEncodes: encodes, outputPixels: outputPixels, inputPixels: inputPixels,
                hasThumbnails: record.isText(fields[10], "1")),
            input: record.text(fields[15]), createdAt: Date(timeIntervalSinceReferenceDate: created),
            degradation: consent, encoderSpeed: speed,
            traceParent: fields[14].isEmpty ? nil : record.text(fields[14]))
    }

    /// A record's bytes, read as fields between separators.
    private struct Fields {
        let bytes: UnsafeRawBufferPointer

        init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

        /// The fields' byte ranges: at most `maxSplits` separators split, the last field takes the rest.
        func split(maxSplits: Int) -> [Range<Int>] {
            var fields: [Range<Int>] = []
            fields.reserveCapacity(maxSplits + 1)
            var start = 0
            var index = 0
            while index < bytes.count && fields.count < maxSplits {
                if bytes[index] == separatorByte {
                    fields.append(start..<index)
                    start = index + 1
                }
                index += 1
            }
            fields.append(start..<bytes.count)
            return fields
        }

        func text(_ range: Range<Int>) -> String {
            String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        }

        func isText(_ range: Range<Int>, _ expected: String) -> Bool {
            range.count == expected.utf8.count && zip(bytes[range], expected.utf8).allSatisfy { $0 == $1 }
        }

        /// A decimal integer with an optional sign, as `Int(String)` reads it; nil for anything else or an overflow.
        func integer(_ range: Range<Int>) -> Int? {
            var digits = bytes[range]
            let negative = digits.first == UInt8(ascii: "-")
            if negative || digits.first == UInt8(ascii: "+") { digits = digits.dropFirst() }
            guard !digits.isEmpty else { return nil }
            var value = 0
            for byte in digits {
                guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
                let (shifted, overflowed) = value.multipliedReportingOverflow(by: 10)
                let (next, overflowedAgain) =
                    negative
                    ? shifted.subtractingReportingOverflow(Int(byte - UInt8(ascii: "0")))
                    : shifted.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
                guard !overflowed && !overflowedAgain else { return nil }
                value = next
            }
            return value
        }
    }
}
