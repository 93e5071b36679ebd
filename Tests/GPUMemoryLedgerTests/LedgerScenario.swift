import GPUMemoryLedger
import PropertyBased

/// One ledger set-up for a property test: the strategy comes from the test's arguments, the rest is drawn.
struct LedgerScenario: Sendable, CustomStringConvertible {
    // Small and odd capacities find edge cases (buddy tails, tight fits); the rest are real GPU sizes.
    static let capacitiesMiB = [1000, 4097, 16384, 24576, 40960, 81920, 144384]
    static let overcommitRatios = [1.0, 1.25, 1.5, 2.0]
    static let sizeClassChoices: [[Int]] = [[], [256, 512, 1024, 2048, 4096], [300, 768, 1500]]
    static let buddyMinimumBlockChoices = [64, 100, 1]

    var capacityMiB: Int
    var configuration: LedgerConfiguration

    var description: String { "capacity \(capacityMiB) MiB, \(configuration)" }

    static func generator(
        for strategy: AllocationStrategy
    ) -> Generator<LedgerScenario, Shrink.Tuple<(Int, Int, Int, Int)>> {
        zip(
            Gen.int(in: 0...(capacitiesMiB.count - 1)), Gen.int(in: 0...(overcommitRatios.count - 1)),
            Gen.int(in: 0...(sizeClassChoices.count - 1)), Gen.int(in: 0...(buddyMinimumBlockChoices.count - 1))
        )
        .map { choice in
            LedgerScenario(
                capacityMiB: capacitiesMiB[choice.0],
                configuration: LedgerConfiguration(
                    strategy: strategy, overcommitRatio: overcommitRatios[choice.1],
                    sizeClassesMiB: sizeClassChoices[choice.2],
                    buddyMinimumBlockMiB: buddyMinimumBlockChoices[choice.3]))
        }
    }
}

/// One operation in a random sequence run against a ledger.
enum LedgerStep: Sendable, CustomStringConvertible {
    case reserve(sizeMiB: Int, owner: Int, active: Bool)
    case release(owner: Int)
    case activate(owner: Int)
    case defragment
    /// Asks `canReserve` and checks the answer against a reserve on a copy.
    case probe(sizeMiB: Int)

    var description: String {
        switch self {
        case .reserve(let sizeMiB, let owner, let active):
            "reserve(\(sizeMiB), owner-\(owner)\(active ? ", active" : ""))"
        case .release(let owner): "release(owner-\(owner))"
        case .activate(let owner): "activate(owner-\(owner))"
        case .defragment: "defragment"
        case .probe(let sizeMiB): "probe(\(sizeMiB))"
        }
    }

    static func owner(_ index: Int) -> LedgerOwner { LedgerOwner("owner-\(index)") }

    /// Steps weighted towards reserves with job-sized requests, so ledgers fill up and fragment; `defragmentWeight`
    /// out of 20 picks decide how often the sequence re-plans.
    static func sequences(
        of length: ClosedRange<Int>, defragmentWeight: Int = 1
    ) -> Generator<[LedgerStep], Generator<LedgerStep, Shrink.Tuple<(Int, Int, Int, Int)>>.ArrayShrink> {
        zip(Gen.int(in: 0...19), Gen.int(in: 1...2600), Gen.int(in: 1...20000), Gen.int(in: 0...59))
            .map { choice -> LedgerStep in
                let (kind, typicalMiB, anyMiB, owner) = choice
                switch kind {
                case 0: return .reserve(sizeMiB: anyMiB, owner: owner, active: false)
                case 1...7: return .reserve(sizeMiB: typicalMiB, owner: owner, active: kind == 7)
                case 8...11: return .release(owner: owner)
                case 12...14: return .activate(owner: owner)
                case 15...(14 + defragmentWeight): return .defragment
                default: return .probe(sizeMiB: kind % 2 == 0 ? typicalMiB : anyMiB)
                }
            }
            .array(of: length)
    }
}
