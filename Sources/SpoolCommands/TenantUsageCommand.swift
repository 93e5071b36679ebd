import ArgumentParser
import Foundation
import SpoolAPIModels
import SpoolClient
import SpoolCore

struct ShowTenantUsage: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usage", abstract: "Show a tenant's jobs, GPU- and CPU-seconds, cost and energy per UTC day.",
        discussion: """
            Each attempt counts on the UTC day it ended, failed and retried attempts included: they were paid for. \
            A cost is the attempt's share of the hourly price of the instance its worker ran on (the instance \
            catalog's spot or on-demand price, or the worker's --price-per-hour); "-" means no worker of that day \
            knew its price. Energy comes from the GPU's reported power draw or the catalog's watts.

            A tenant reads its own usage with its key ($SPOOL_API_KEY); the admin key ($SPOOL_ADMIN_KEY) reads any \
            tenant's.

            Examples:
              spool tenants usage acme
              spool tenants usage acme --from 2026-11-01 --to 2026-11-30
              spool tenants usage acme --json | jq .total.cost
            """)

    @Argument(help: "The tenant (`default` for jobs submitted without a key).") var name: String
    @Option(help: ArgumentHelp("First UTC day (default: 29 days before --to).", valueName: "YYYY-MM-DD"))
    var from: String?
    @Option(help: ArgumentHelp("Last UTC day (default: today).", valueName: "YYYY-MM-DD")) var to: String?
    @Flag(help: "Print the server's JSON.") var json = false
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let client = try options.client(
            key: options.apiKey ?? environment["SPOOL_API_KEY"] ?? environment["SPOOL_ADMIN_KEY"])
        let usage = try await reportingErrors { try await client.tenantUsage(name, from: from, to: to) }
        if json { return try Terminal.printJSON(usage) }
        print(Self.render(usage))
    }

    /// One row per day with usage, then the total; unknown costs and energies show as "-".
    static func render(_ usage: TenantUsageView) -> String {
        guard !usage.days.isEmpty else {
            return "no usage for tenant \(usage.tenant) from \(usage.from) to \(usage.to)"
        }
        let row = { (label: String, figures: TenantUsageView.Figures) in
            [
                label, "\(figures.jobs)", String(format: "%.1f", figures.gpuSeconds),
                String(format: "%.1f", figures.cpuSeconds), figures.cost.map { String(format: "%.4f", $0) } ?? "-",
                figures.energyJoules.map { String(format: "%.3f", $0 / 3_600_000) } ?? "-",
            ]
        }
        return Terminal.table(
            ["day", "jobs", "GPU-s", "CPU-s", "cost \(usage.currency)", "energy kWh"],
            usage.days.map { row($0.date ?? "", $0) } + [row("total", usage.total)])
    }
}
