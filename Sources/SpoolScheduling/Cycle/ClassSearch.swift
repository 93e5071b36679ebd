import SpoolCore

/// What a search by classes decided for one job.
enum ClassSearchOutcome {
    case placed(worker: Int, device: Int, path: DevicePath?, total: Double)
    case waiting(reason: String)
}

extension SchedulingCycle {
    /// One job's search over `DeviceClasses`, deciding exactly what the device-by-device search would: the same
    /// device, the same score, the same waiting reason, and the same place for the next job's search to start.
    ///
    /// Every member of a class gets the same verdict and raw scores, so each class is evaluated once (and once per
    /// kind of job while the index lives). A scan meets the members of a class in number order from where it starts,
    /// so the one it meets first stands for the class: with every device scored, the best total wins and a tie goes
    /// to the one met first, as in the scan; with a limit on feasible devices, the classes' members are merged in
    /// scan order until the limit, which are exactly the devices the scan would have scored.
    mutating func searchByClass(
        _ request: PlacementRequest, _ demands: PathDemands, _ fleet: FleetSnapshot, _ classes: inout DeviceClasses,
        pinned: [Int]?, scopeCount: Int
    ) -> ClassSearchOutcome {
        // The plugins' contexts are made only when some class is judged for the first time, mostly not at all.
        lazy var contexts = PathContexts(request: request, demands: demands, ledger: fleet.ledgerConfiguration)
        let limit: Int
        let from: Int
        switch profile.sampling {
        case .all: (limit, from) = (.max, nextStart)
        case .feasible(let feasibleLimit): (limit, from) = (feasibleLimit, nextStart)
        case .firstFeasible: (limit, from) = (1, 0)
        case .powerOfTwoChoices: preconditionFailure("power of two choices samples at random; it searches by device")
        }
        let start = from % scopeCount
        let origin = classes.firstDevice[pinned?[start] ?? start]
        let slot = classes.verdictSlot(for: VerdictKey(request, demands))
        // Taken out while in use, so that adding to it does not copy it.
        var verdicts = ClassVerdicts()
        swap(&verdicts, &classes.verdictSets[slot])
        defer { swap(&verdicts, &classes.verdictSets[slot]) }
        verdicts.cover(classes.appearances.count)

        if limit == .max && !weights.isEmpty && !relativeScores.contains(true) {
            if verdicts.rankedUpTo < classes.appearances.count {
                rank(&verdicts, classes, request.pool, contexts)
            }
            if let best = bestRanked(verdicts, classes, origin: origin) {
                nextStart = start
                guard case .feasible(let path, _) = verdicts.byClass[best.classID] else {
                    preconditionFailure("only feasible classes are ranked")
                }
                return .placed(
                    worker: classes.workerOf[best.number], device: classes.deviceOf[best.number], path: path,
                    total: verdicts.totals[best.classID])
            }
            // Nothing feasible: the search below words why.
        }

        var feasible: [Reached] = []
        var refused: [(reached: Reached, refusal: FilterRefusal)] = []
        for c in classes.occupied {
            if let pool = request.pool, classes.appearances[c].pool != pool { continue }
            let first = classes.firstMember(of: c, from: origin)
            let reached = Reached(
                classID: c, number: first.number, slot: first.slot,
                distance: classes.distance(to: first.number, from: origin))
            if case .unknown = verdicts.byClass[c] {
                verdicts.byClass[c] = evaluate(classes.specimens[c], contexts, &verdicts.raws)
            }
            switch verdicts.byClass[c] {
            case .refused(let refusal): refused.append((reached, refusal))
            case .feasible: feasible.append(reached)
            case .unknown: preconditionFailure("every class reached was evaluated")
            }
        }

        if feasible.isEmpty {
            // The scan would have evaluated every device in scope and refused each.
            var byCode: [String: (count: Int, example: FilterRefusal, distance: Int)] = [:]
            var evaluated = 0
            for (reached, refusal) in refused {
                let count = classes.members[reached.classID].count
                evaluated += count
                if let known = byCode[refusal.code] {
                    let earlier = reached.distance < known.distance
                    byCode[refusal.code] = (
                        known.count + count, earlier ? refusal : known.example,
                        earlier ? reached.distance : known.distance
                    )
                } else {
                    byCode[refusal.code] = (count, refusal, reached.distance)
                }
            }
            nextStart = start
            return .waiting(
                reason: Self.noRoomReason(evaluated: evaluated, byCode.mapValues { ($0.count, $0.example) }))
        }

        // The devices the scan would score, in the order it meets them.
        let scored: [Reached]
        if limit == .max {
            scored = feasible
            nextStart = start
        } else {
            let met = Self.firstMet(limit, feasible, classes, origin: origin)
            // Only the first member of each class is scored: the members of a class share their raw scores, so
            // they share their total, and a tie goes to the one met first. The best relative raw score over them
            // is the best over all, so this decides what scoring every device met would.
            scored = met.nearest
            if met.count == limit, let last = met.last {
                let worker = classes.workerOf[last.number]
                let position = pinned.map { DeviceClasses.lowerBound(worker, in: $0) } ?? worker
                nextStart = (position + 1) % scopeCount
            } else {
                nextStart = start
            }
        }
        let winner = best(of: scored, verdicts)
        guard case .feasible(let path, _) = verdicts.byClass[winner.reached.classID] else {
            preconditionFailure("only feasible classes are scored")
        }
        return .placed(
            worker: classes.workerOf[winner.reached.number], device: classes.deviceOf[winner.reached.number],
            path: path, total: winner.total)
    }

    /// A class as a scan from the search's origin meets it: its member met first (`number`, at `slot` among the
    /// members) and how far into the scan that is.
    struct Reached: HeapKeyed {
        var classID: Int
        var number: Int
        var slot: Int
        var distance: Int
        /// Where the member met first stands among the class's members: a merge that comes back to it is done.
        var firstSlot: Int

        init(classID: Int, number: Int, slot: Int, distance: Int, firstSlot: Int? = nil) {
            self.classID = classID
            self.number = number
            self.slot = slot
            self.distance = distance
            self.firstSlot = firstSlot ?? slot
        }

        var heapKey: Int { distance }
    }

    /// The filters' verdict on a class's specimen, and its raw scores when it passes them.
    private func evaluate(
        _ specimen: (worker: WorkerSnapshot, device: Int), _ contexts: PathContexts, _ raws: inout [Double]
    ) -> ClassVerdicts.Verdict {
        let (filters, customFilters) = (self.filters, self.customFilters)
        let (scores, customScores) = (self.scores, self.customScores)
        let device = specimen.worker.devices[specimen.device]
        let path = device.path(for: contexts.acceleration)
        return Candidate.with(worker: specimen.worker, device: device) { candidate -> ClassVerdicts.Verdict in
            contexts.with(path) { context -> ClassVerdicts.Verdict in
                let refusal = filters.withUnsafeBufferPointer { runners -> FilterRefusal? in
                    customFilters.withUnsafeBufferPointer { custom -> FilterRefusal? in
                        for runner in runners {
                            if let reason = runner.filter(context, candidate, custom: custom) { return reason }
                        }
                        return nil
                    }
                }
                if let refusal { return .refused(refusal) }
                let offset = raws.count
                scores.withUnsafeBufferPointer { runners in
                    customScores.withUnsafeBufferPointer { custom in
                        for runner in runners { raws.append(runner.score(context, candidate, custom: custom)) }
                    }
                }
                return .feasible(path: path, rawOffset: offset)
            }
        }
    }

    /// Evaluates the classes numbered since the last ranking and files the feasible ones in scope by their total,
    /// best first (the same arithmetic as `best`, with no relative score to normalise).
    private func rank(
        _ verdicts: inout ClassVerdicts, _ classes: DeviceClasses, _ pool: String?, _ contexts: PathContexts
    ) {
        guard verdicts.rankedUpTo < classes.appearances.count else { return }
        verdicts.totals.append(
            contentsOf: repeatElement(.nan, count: classes.appearances.count - verdicts.totals.count))
        for c in verdicts.rankedUpTo..<classes.appearances.count {
            // A pinned job's scan never reaches another pool's workers, whatever its filters say.
            if let pool, classes.appearances[c].pool != pool { continue }
            if case .unknown = verdicts.byClass[c] {
                verdicts.byClass[c] = evaluate(classes.specimens[c], contexts, &verdicts.raws)
            }
            guard case .feasible(_, let base) = verdicts.byClass[c] else { continue }
            var total = 0.0
            for s in weights.indices { total += weights[s] * min(1, max(0, verdicts.raws[base + s])) }
            total *= 100
            verdicts.totals[c] = total
            // After the last class with a total at least as good; the order among equals does not matter.
            var low = 0
            var high = verdicts.ranked.count
            while low < high {
                let middle = (low + high) / 2
                if verdicts.totals[verdicts.ranked[middle]] >= total { low = middle + 1 } else { high = middle }
            }
            verdicts.ranked.insert(c, at: low)
        }
        verdicts.rankedUpTo = classes.appearances.count
    }

    /// The best-ranked class some device looks like now, and of the classes with that total, the device a scan
    /// from `origin` meets first.
    private func bestRanked(_ verdicts: ClassVerdicts, _ classes: DeviceClasses, origin: Int) -> Reached? {
        var best: Reached?
        var bestTotal = 0.0
        for c in verdicts.ranked where classes.isOccupied(c) {
            let total = verdicts.totals[c]
            if let current = best {
                guard total == bestTotal else { break }
                let first = classes.firstMember(of: c, from: origin)
                let distance = classes.distance(to: first.number, from: origin)
                if distance < current.distance {
                    best = Reached(classID: c, number: first.number, slot: first.slot, distance: distance)
                }
            } else {
                let first = classes.firstMember(of: c, from: origin)
                best = Reached(
                    classID: c, number: first.number, slot: first.slot,
                    distance: classes.distance(to: first.number, from: origin))
                bestTotal = total
            }
        }
        return best
    }

    /// The first `limit` feasible devices a scan from `origin` meets (the classes' members merged in scan order):
    /// how many there are, the last, and the nearest of each class among them, in the order met.
    private static func firstMet(
        _ limit: Int, _ feasible: [Reached], _ classes: DeviceClasses, origin: Int
    ) -> (nearest: [Reached], count: Int, last: Reached?) {
        var heap = MinimumHeap<Reached>(feasible)
        var nearest: [Reached] = []
        var count = 0
        var last: Reached?
        while count < limit, let next = heap.minimum {
            count += 1
            last = next
            if next.slot == next.firstSlot { nearest.append(next) }
            let members = classes.members[next.classID].count
            let slot = next.slot + 1 == members ? 0 : next.slot + 1
            // Back at the member met first: the class is exhausted.
            if slot != next.firstSlot {
                let number = classes.members[next.classID][slot]
                heap.replaceMinimum(
                    with: Reached(
                        classID: next.classID, number: number, slot: slot,
                        distance: classes.distance(to: number, from: origin), firstSlot: next.firstSlot))
            } else {
                _ = heap.popMinimum()
            }
        }
        return (nearest, count, last)
    }

    /// The scored device with the best weighted total, computed as the device-by-device search computes it (the
    /// same normalisation, the same arithmetic in the same order); a tie goes to the device met first.
    private func best(of scored: [Reached], _ verdicts: ClassVerdicts) -> (reached: Reached, total: Double) {
        let count = weights.count
        guard count > 0 else { return (scored.min { $0.distance < $1.distance }!, 0) }
        // One offset per class scored (each class once: see `firstMet`).
        let offsets = scored.map { reached -> Int in
            guard case .feasible(_, let offset) = verdicts.byClass[reached.classID] else {
                preconditionFailure("only feasible classes are scored")
            }
            return offset
        }
        var bestRaw = Array(repeating: 0.0, count: count)
        for s in 0..<count where relativeScores[s] {
            for base in offsets { bestRaw[s] = max(bestRaw[s], verdicts.raws[base + s]) }
        }
        var winner: (reached: Reached, total: Double)?
        for (reached, base) in zip(scored, offsets) {
            var total = 0.0
            for s in 0..<count {
                var value = verdicts.raws[base + s]
                if relativeScores[s] { value = bestRaw[s] > 0 ? value / bestRaw[s] : 1 }
                total += weights[s] * min(1, max(0, value))
            }
            total *= 100
            if let current = winner {
                if total > current.total || (total == current.total && reached.distance < current.reached.distance) {
                    winner = (reached, total)
                }
            } else {
                winner = (reached, total)
            }
        }
        return winner!
    }
}
