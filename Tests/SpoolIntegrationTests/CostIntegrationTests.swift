import Foundation
import SpoolAPIModels
import SpoolClient
import SpoolCore
import Testing

/// A real `spool serve` told its price: a job shows what it cost, and the tenant's day sums it.
@Suite(.serialized) struct CostIntegrationTests {
    let area: TestArea

    init() throws { area = try TestArea("cost") }

    @Test func aFinishedJobShowsItsCostAndTheDaySumsIt() async throws {
        defer { area.cleanUp() }
        let server = try SpoolServerProcess(
            dataDirectory: area.data, inputRoot: area.inputs,
            extraArguments: ["--instance-type", "c7i.large", "--price-per-hour", "0.36", "--cpu-slots", "2"])
        defer { server.stop() }
        try await server.start()
        let clip = area.inputs.appendingPathComponent("clip.mp4")
        try await TestMedia.makeClip(at: clip, seconds: 2)

        let submit = try await CLI.run([
            "submit", clip.path, "--output", "small=mp4,height=180", "--wait", "--server", server.url.absoluteString,
        ])
        #expect(submit.status == 0, "\(submit.stderr)")
        let summary = try #require(submit.stdout.split(separator: "\n").first { $0.contains(" succeeded in ") })
        let id = try #require(summary.split(separator: " ").first.map(String.init))
        let usage = try #require(try await server.client.job(JobID(rawValue: id)).usage)
        #expect(usage.attempts == 1 && usage.devices.map(\.device) == ["cpu"] && usage.currency == "USD")
        #expect(usage.cpuSeconds > 0 && usage.gpuSeconds == 0 && usage.energyJoules == nil)
        // Half of $0.36 an hour for the seconds it ran.
        let cost = try #require(usage.cost)
        #expect(cost > 0 && abs(cost - 0.18 * usage.cpuSeconds / 3600) < 1e-9)

        let report = try await CLI.run(["tenants", "usage", "default", "--json", "--server", server.url.absoluteString])
        #expect(report.status == 0, "\(report.stderr)")
        let day = try APIJSON.decoder.decode(TenantUsageView.self, from: Data(report.stdout.utf8))
        #expect(day.total.jobs == 1 && day.total.cost == cost && day.days.count == 1)
        // The worker says what it pays in its registration.
        let capacities = try await server.client.workers().compactMap(\.capacity)
        #expect(capacities.contains(CapacityPrice(instanceType: "c7i.large", pricePerHour: 0.36)))
        let table = try await CLI.run(["tenants", "usage", "default", "--server", server.url.absoluteString])
        #expect(table.stdout.contains("total") && table.stdout.contains("cost USD"), "\(table.stdout)")
    }
}
