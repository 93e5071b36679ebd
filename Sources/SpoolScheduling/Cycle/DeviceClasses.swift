import GPUMemoryLedger

/// A fleet's devices grouped by how they look to the built-in plugins (`DeviceAppearance`), kept in step with the
/// reservations one cycle makes. A search then evaluates one device per class instead of every device: a fleet of
/// like workers has far fewer ways to be loaded than it has devices. (A fleet whose every device reports its own
/// temperature has as many classes as devices, and a search costs about what the scan does.)
///
/// Devices are numbered in fleet order (worker by worker, device by device), the order a scan visits them in, and
/// each class keeps its members sorted by that number, so a search can still tell which member a scan would reach
/// first. Valid while nothing but `refresh` changes the fleet it was built from, and again after `sync` with a fleet
/// that changed otherwise.
struct DeviceClasses: Sendable {
    /// Per worker, the number of its first device; one more entry holds the device count.
    let firstDevice: [Int]
    /// Per device number, its worker and its index there.
    let workerOf: [Int]
    let deviceOf: [Int]
    private(set) var classOf: [Int]
    /// Per class: how its devices look, and their numbers in ascending order. A class that empties keeps its number,
    /// so verdicts cached for it stay right should a device come to look like that again.
    private(set) var appearances: [DeviceAppearance] = []
    private(set) var members: [[Int]] = []
    /// Per class, the worker (as it was then) and device index of the first device that looked like it: plugins
    /// can judge the class by it even while no device looks like that.
    private(set) var specimens: [(worker: WorkerSnapshot, device: Int)] = []
    /// The classes that have members, in no particular order.
    private(set) var occupied: [Int] = []
    private var occupiedSlot: [Int] = []
    private var classByAppearance: [DeviceAppearance: Int] = [:]
    /// Per class, the classes its devices were last re-filed into, latest first: a placement or a finished job
    /// moves a device between the same few classes over and over, and checking those in place finds its new class
    /// without making its appearance and hashing it.
    private var movedTo: [[Int]] = []
    private static let movesKept = 16
    /// What searches found per class, one set per kind of job that asked (`ClassVerdicts`), found by `verdictSlot`.
    var verdictSets: [ClassVerdicts] = []
    /// The kind of job each set is for, in `verdictSets` order. A workload has a few kinds, mixed in the queue:
    /// comparing a key with each of a few is cheaper than hashing it, so the index is built only past
    /// `keysSearchedInOrder` kinds.
    private var verdictKeys: [VerdictKey] = []
    private var verdictSlots: [VerdictKey: Int] = [:]
    private static let keysSearchedInOrder = 16
    /// How the fleet's ledgers round requests: the verdicts hold for this rounding only.
    let ledger: LedgerConfiguration

    init(_ fleet: FleetSnapshot) {
        ledger = fleet.ledgerConfiguration
        var firstDevice: [Int] = []
        firstDevice.reserveCapacity(fleet.workers.count + 1)
        var workerOf: [Int] = []
        var deviceOf: [Int] = []
        for (w, worker) in fleet.workers.enumerated() {
            firstDevice.append(workerOf.count)
            for d in worker.devices.indices {
                workerOf.append(w)
                deviceOf.append(d)
            }
        }
        firstDevice.append(workerOf.count)
        self.firstDevice = firstDevice
        self.workerOf = workerOf
        self.deviceOf = deviceOf
        classOf = Array(repeating: 0, count: workerOf.count)
        for (w, worker) in fleet.workers.enumerated() {
            for (d, device) in worker.devices.enumerated() {
                let number = firstDevice[w] + d
                let c = classID(DeviceAppearance(worker, device), specimen: (worker, d))
                classOf[number] = c
                // Numbers arrive in ascending order, so appending keeps each class sorted.
                members[c].append(number)
                if occupiedSlot[c] < 0 { occupy(c) }
            }
        }
    }

    var deviceCount: Int { workerOf.count }

    /// Brings the classes in step with `fleet` as it is now, after changes made elsewhere (jobs finished, workers
    /// drained): only the workers whose devices look different are re-filed. Returns false when the fleet's workers
    /// or their devices are no longer the ones numbered here; the classes must then be built afresh.
    ///
    /// `changedWorkers`, when given, are the only workers that may have changed (the caller keeps the snapshot and
    /// knows what it touched): only they are compared and re-filed.
    mutating func sync(with fleet: FleetSnapshot, changedWorkers: [Int]? = nil) -> Bool {
        guard fleet.workers.count + 1 == firstDevice.count, fleet.ledgerConfiguration == ledger else { return false }
        if let changedWorkers {
            for w in changedWorkers {
                guard fleet.workers.indices.contains(w),
                    fleet.workers[w].devices.count == firstDevice[w + 1] - firstDevice[w]
                else { return false }
            }
            for w in changedWorkers { refresh(worker: w, in: fleet) }
            return true
        }
        var changed: [Int] = []
        // All through pointers: this runs over every device of the fleet each step, and copying an appearance or a
        // worker out of its array retains its strings and arrays.
        let unchanged: Bool = fleet.workers.withUnsafeBufferPointer { workers in
            appearances.withUnsafeBufferPointer { appearances in
                classOf.withUnsafeBufferPointer { classOf in
                    firstDevice.withUnsafeBufferPointer { firstDevice in
                        for w in workers.indices {
                            let first = firstDevice[w]
                            guard workers[w].devices.count == firstDevice[w + 1] - first else { return false }
                            let alike = workers[w].devices.withUnsafeBufferPointer { devices in
                                for d in devices.indices
                                where !(appearances.baseAddress! + classOf[first + d]).pointee.describes(
                                    workers.baseAddress! + w, devices.baseAddress! + d)
                                {
                                    return false
                                }
                                return true
                            }
                            if !alike { changed.append(w) }
                        }
                        return true
                    }
                }
            }
        }
        guard unchanged else { return false }
        for w in changed { refresh(worker: w, in: fleet) }
        return true
    }

    /// `classes` brought in step with `fleet` however it changed since they were kept (see `sync`), or nil when its
    /// workers are not the ones they were numbered for (a fresh index is then built on first use). Synced in place:
    /// the caller holds the only copy.
    static func bringUpToDate(_ classes: inout DeviceClasses?, with fleet: FleetSnapshot, changedWorkers: [Int]?) {
        if classes?.sync(with: fleet, changedWorkers: changedWorkers) == false { classes = nil }
    }

    /// Re-files the devices of `worker` after its reservations changed.
    mutating func refresh(worker w: Int, in fleet: FleetSnapshot) {
        // Through pointers: copying the worker out of the fleet retained everything it holds.
        fleet.workers.withUnsafeBufferPointer { workers in
            let worker = workers.baseAddress! + w
            worker.pointee.devices.withUnsafeBufferPointer { devices in
                for d in devices.indices {
                    let device = devices.baseAddress! + d
                    let number = firstDevice[w] + d
                    let old = classOf[number]
                    // Compared in place: an appearance copied out of the array retains its strings and sets.
                    let known: Int? = appearances.withUnsafeBufferPointer { appearances in
                        if appearances[old].describes(worker, device) { return old }
                        return movedTo[old].first { appearances[$0].describes(worker, device) }
                    }
                    if known == old { continue }
                    let new =
                        known
                        ?? classID(DeviceAppearance(worker.pointee, device.pointee), specimen: (worker.pointee, d))
                    remember(move: old, to: new)
                    let slot = Self.lowerBound(number, in: members[old])
                    members[old].remove(at: slot)
                    if members[old].isEmpty { vacate(old) }
                    members[new].insert(number, at: Self.lowerBound(number, in: members[new]))
                    if occupiedSlot[new] < 0 { occupy(new) }
                    classOf[number] = new
                }
            }
        }
    }

    private mutating func remember(move old: Int, to new: Int) {
        if movedTo[old].first == new { return }
        if let known = movedTo[old].firstIndex(of: new) {
            movedTo[old].remove(at: known)
        } else if movedTo[old].count == Self.movesKept {
            movedTo[old].removeLast()
        }
        movedTo[old].insert(new, at: 0)
    }

    /// Where the verdicts for jobs like `key` are in `verdictSets` (a new, empty set for a new kind).
    mutating func verdictSlot(for key: VerdictKey) -> Int {
        if verdictKeys.count <= Self.keysSearchedInOrder {
            if let known = verdictKeys.firstIndex(of: key) { return known }
        } else if let known = verdictSlots[key] {
            return known
        }
        let slot = verdictSets.count
        verdictSets.append(ClassVerdicts())
        verdictKeys.append(key)
        if verdictKeys.count > Self.keysSearchedInOrder {
            if verdictSlots.isEmpty {
                for (known, key) in verdictKeys.enumerated() { verdictSlots[key] = known }
            } else {
                verdictSlots[key] = slot
            }
        }
        return slot
    }

    /// The member of `c` a scan starting at device number `origin` (and wrapping around) reaches first, and where it
    /// stands in the class's members.
    func isOccupied(_ c: Int) -> Bool { occupiedSlot[c] >= 0 }

    func firstMember(of c: Int, from origin: Int) -> (number: Int, slot: Int) {
        let list = members[c]
        let slot = list.first! >= origin ? 0 : Self.lowerBound(origin, in: list)
        return slot < list.count ? (list[slot], slot) : (list[0], 0)
    }

    /// How far from `origin` a scan reaches device `number`, wrapping around the fleet.
    func distance(to number: Int, from origin: Int) -> Int {
        number >= origin ? number - origin : number - origin + deviceCount
    }

    private mutating func classID(_ appearance: DeviceAppearance, specimen: (worker: WorkerSnapshot, device: Int))
        -> Int
    {
        if let c = classByAppearance[appearance] { return c }
        let c = appearances.count
        appearances.append(appearance)
        specimens.append(specimen)
        members.append([])
        movedTo.append([])
        occupiedSlot.append(-1)
        classByAppearance[appearance] = c
        return c
    }

    private mutating func occupy(_ c: Int) {
        occupiedSlot[c] = occupied.count
        occupied.append(c)
    }

    private mutating func vacate(_ c: Int) {
        let slot = occupiedSlot[c]
        let last = occupied.removeLast()
        if last != c {
            occupied[slot] = last
            occupiedSlot[last] = slot
        }
        occupiedSlot[c] = -1
    }

    /// The first position in ascending `list` whose value is not below `value`.
    static func lowerBound(_ value: Int, in list: [Int]) -> Int {
        var low = 0
        var high = list.count
        while low < high {
            let middle = (low + high) / 2
            if list[middle] < value { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
