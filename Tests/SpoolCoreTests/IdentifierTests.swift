import Testing

@testable import SpoolCore

struct IdentifierTests {
    @Test func generatedIDsAreSixteenCharactersOfTheAlphabetAfterTheirPrefix() {
        let job = JobID.generate().rawValue
        #expect(job.hasPrefix("job_") && job.count == 20)
        #expect(job.dropFirst(4).allSatisfy { RandomToken.alphabet.contains($0) })
        #expect(UploadID.generate().isWellFormed)
        let worker = WorkerID.generate(pool: "cpu").rawValue
        #expect(worker.hasPrefix("wrk_cpu_") && worker.count == 16)
    }

    /// Every position of a token takes every character: a token built from fewer random bits than it shows (a
    /// draw reused, bits shifted out of range) would leave characters out at some positions.
    @Test func everyPositionTakesEveryCharacterAndTokensDoNotRepeat() {
        let tokens = (0..<4000).map { _ in Array(RandomToken.make()) }
        for position in 0..<16 {
            #expect(Set(tokens.map { $0[position] }).count == 32, "position \(position)")
        }
        #expect(Set(tokens.map { String($0) }).count == tokens.count)
        #expect(RandomToken.make(length: 30).count == 30)
        #expect(RandomToken.make(length: 0).isEmpty)
    }
}
