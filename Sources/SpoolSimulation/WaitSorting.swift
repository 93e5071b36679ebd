/// Sorts waits ascending exactly as `sorted()` does, in time linear in their number: a day at fleet scale has
/// fourteen million of them, sorted for the percentiles of all and again for each class, and the comparison sort
/// took longer than a tenth of the whole run.
///
/// A least-significant-digit radix sort over the doubles' bits, 16 at a time, with the bits arranged so that their
/// order as unsigned integers is the numbers' order. Equal keys are equal doubles, so the result cannot differ from
/// `sorted()`; the two values where bits and `<` disagree (NaN, and a zero of each sign) send the values to
/// `sorted()` instead.
enum WaitSorting {
    static func sorted(_ values: [Double]) -> [Double] {
        guard values.count > 1_024 else { return values.sorted() }
        var keys = [UInt64](repeating: 0, count: values.count)
        var plain = false
        values.withUnsafeBufferPointer { values in
            keys.withUnsafeMutableBufferPointer { keys in
                for index in values.indices {
                    let value = values[index]
                    if value.isNaN || (value == 0 && value.sign == .minus) { plain = true }
                    keys[index] = key(value)
                }
            }
        }
        if plain { return values.sorted() }
        var spare = [UInt64](repeating: 0, count: keys.count)
        var counts = [Int](repeating: 0, count: 1 << 16)
        for shift in stride(from: UInt64(0), to: 64, by: 16) {
            keys.withUnsafeMutableBufferPointer { keys in
                spare.withUnsafeMutableBufferPointer { spare in
                    counts.withUnsafeMutableBufferPointer { counts in
                        for digit in counts.indices { counts[digit] = 0 }
                        for key in keys { counts[Int((key >> shift) & 0xFFFF)] += 1 }
                        // A digit every key shares orders nothing: the pass is skipped.
                        if counts[Int((keys[0] >> shift) & 0xFFFF)] == keys.count { return }
                        var start = 0
                        for digit in counts.indices {
                            let count = counts[digit]
                            counts[digit] = start
                            start += count
                        }
                        for key in keys {
                            let digit = Int((key >> shift) & 0xFFFF)
                            spare[counts[digit]] = key
                            counts[digit] += 1
                        }
                        for index in keys.indices { keys[index] = spare[index] }
                    }
                }
            }
        }
        return keys.map(value(of:))
    }

    /// The bits of `value`, arranged so that unsigned order is numeric order: a positive number's sign bit set, a
    /// negative number's bits all flipped.
    private static func key(_ value: Double) -> UInt64 {
        let bits = value.bitPattern
        return bits & (1 << 63) == 0 ? bits | (1 << 63) : ~bits
    }

    private static func value(of key: UInt64) -> Double {
        Double(bitPattern: key & (1 << 63) != 0 ? key & ~(1 << 63) : ~key)
    }
}
