import Foundation
import SpoolCore
import Testing

@Suite struct DemandHistoryCSVTests {
    @Test func readsISOTimesAndEpochSecondsSkippingHeaderCommentsAndBlanks() throws {
        let samples = try DemandHistoryCSV.parse(
            """
            start,peak
            # last Monday
            2026-12-01T09:00:00Z,12

            1796116500, 31.5
            2026-12-01T09:30:00.250Z,0
            """)
        #expect(samples.map(\.peak) == [12, 31.5, 0])
        #expect(samples[0].start == Date(timeIntervalSince1970: 1_796_115_600))
        #expect(samples[1].start == Date(timeIntervalSince1970: 1_796_116_500))
        #expect(abs(samples[2].start.timeIntervalSince1970 - 1_796_117_400.25) < 0.001)
    }

    @Test func namesTheLineThatIsWrong() {
        #expect(throws: DemandHistoryCSV.ParseError(line: 2, reason: "expected two columns, start,peak; found 3")) {
            try DemandHistoryCSV.parse("start,peak\n1,2,3")
        }
        #expect(throws: DemandHistoryCSV.ParseError.self) { try DemandHistoryCSV.parse("yesterday,4") }
        #expect(throws: DemandHistoryCSV.ParseError.self) { try DemandHistoryCSV.parse("1796115600,many") }
    }
}
