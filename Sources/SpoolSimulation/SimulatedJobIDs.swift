import SpoolCore

/// The IDs the simulator gives its jobs: "j" and the job's index in the workload. The planner speaks of jobs by ID,
/// and the simulator finds a job's index back from its ID by reading the number, not through a dictionary of
/// millions of IDs built and hashed for every placement.
struct SimulatedJobIDs {
    private let ids: [JobID]

    init(count: Int) {
        ids = (0..<count).map { JobID(rawValue: Self.name(of: $0)) }
    }

    /// "j" and the index's decimal digits, written directly: an interpolated string cost more than all the rest of
    /// making fourteen million IDs.
    private static func name(of index: Int) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { buffer in
            var value = index
            var start = buffer.count
            repeat {
                start -= 1
                buffer[start] = UInt8(ascii: "0") + UInt8(value % 10)
                value /= 10
            } while value > 0
            start -= 1
            buffer[start] = UInt8(ascii: "j")
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[start...]), as: UTF8.self)
        }
    }

    subscript(job: Int) -> JobID { ids[job] }

    /// The index of the job with this ID; nil for an ID the simulator did not give.
    func index(of id: JobID) -> Int? {
        var utf8 = id.rawValue.utf8.makeIterator()
        guard utf8.next() == UInt8(ascii: "j") else { return nil }
        var index = 0
        var digits = 0
        while let byte = utf8.next() {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), index < ids.count else { return nil }
            // No leading zeros: "j007" is no ID of ours.
            if digits == 1 && index == 0 { return nil }
            index = index * 10 + Int(byte - UInt8(ascii: "0"))
            digits += 1
        }
        guard digits > 0, index < ids.count else { return nil }
        return index
    }
}
