import ArgumentParser
import SpoolAPIModels
import SpoolCore
import Testing

@testable import SpoolCommands

/// `spool tenants usage`: its options as parsed, and its table.
@Suite struct TenantUsageCommandTests {
    @Test func parsesTheTenantAndTheRange() throws {
        let command = try ShowTenantUsage.parse(["acme", "--from", "2026-11-01", "--to", "2026-11-30", "--json"])
        #expect(command.name == "acme" && command.from == "2026-11-01" && command.to == "2026-11-30" && command.json)
        let plain = try ShowTenantUsage.parse(["acme"])
        #expect(plain.from == nil && plain.to == nil && !plain.json)
    }

    @Test func printsADayPerRowThenTheTotalAndDashesForTheUnknown() throws {
        let range = try UsageRange(from: "2026-11-01", to: "2026-11-03", now: .now)
        let priced = TenantUsage(
            gpuSeconds: 3600, jobs: 2, cost: 0.8, pricedAttempts: 2, energyJoules: 7_200_000, energyAttempts: 2)
        let view = TenantUsageView(
            tenant: TenantID(rawValue: "acme"), range: range,
            usage: ["2026-11-01": priced, "2026-11-03": TenantUsage(jobs: 1, cpuSeconds: 42)])
        let lines = ShowTenantUsage.render(view).split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(lines[0].hasPrefix("day") && lines[0].contains("cost USD") && lines[0].contains("energy kWh"))
        #expect(lines[1].hasPrefix("2026-11-01") && lines[1].contains("0.8000") && lines[1].contains("2.000"))
        #expect(lines[2].hasPrefix("2026-11-03") && lines[2].contains("42.0") && lines[2].hasSuffix("-"))
        #expect(lines[3].hasPrefix("total") && lines[3].contains("0.8000") && lines[3].contains(" 3 "))
        let empty = TenantUsageView(tenant: TenantID(rawValue: "acme"), range: range, usage: [:])
        #expect(ShowTenantUsage.render(empty) == "no usage for tenant acme from 2026-11-01 to 2026-11-03")
    }
}

/// The usage line of `spool status`.
@Suite struct JobUsageLineTests {
    @Test func saysWhatIsKnownAndDashesTheRest() {
        let usage = JobUsage()
            .adding(AttemptUsage(device: "gpu0 (L4)", gpuSeconds: 90, cpuSeconds: 0, cost: 0.02, energyJoules: 6300))
            .adding(AttemptUsage(device: "cpu", gpuSeconds: 0, cpuSeconds: 40, cost: nil, energyJoules: nil))
        #expect(JobPrinter.usageLine(usage) == "2 attempts, 90.0 GPU-s, 40.0 CPU-s, 0.0200 USD (1 unpriced), 6300 J")
        let unknown = JobUsage().adding(
            AttemptUsage(device: "cpu", gpuSeconds: 0, cpuSeconds: 4, cost: nil, energyJoules: nil))
        #expect(JobPrinter.usageLine(unknown) == "1 attempt, 0.0 GPU-s, 4.0 CPU-s, cost -, energy -")
    }
}

/// The capacity column of `spool workers`.
@Suite struct WorkerCapacityColumnTests {
    @Test func namesTheTypeTheCapacityAndThePrice() {
        let spot = CapacityPrice(instanceType: "g6.xlarge", capacityType: .spot, pricePerHour: 0.32)
        #expect(Workers.describe(spot) == "g6.xlarge spot 0.32 USD/h")
        #expect(Workers.describe(CapacityPrice(instanceType: "x1", capacityType: .onDemand)) == "x1 on-demand ? /h")
        #expect(Workers.describe(nil as CapacityPrice?) == "-")
    }
}
