/// Something kept in an array sorted by virtual offset, so lookups are binary searches over contiguous memory
/// instead of tree or hash lookups a scheduler would pay for on every reserve.
protocol OffsetOrdered {
    var offsetMiB: Int { get }
}

extension FreeRange: OffsetOrdered {}
extension MemoryReservation: OffsetOrdered {}

extension Array where Element: OffsetOrdered {
    /// The index of the first element whose offset is at least `offsetMiB`, or `count` when there is none.
    func firstIndex(atOrAfterOffset offsetMiB: Int) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = low + (high - low) / 2
            if self[middle].offsetMiB < offsetMiB {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return low
    }

    /// Inserts `element` where it keeps the array sorted by offset.
    mutating func insertKeepingOffsetOrder(_ element: Element) {
        insert(element, at: firstIndex(atOrAfterOffset: element.offsetMiB))
    }
}
