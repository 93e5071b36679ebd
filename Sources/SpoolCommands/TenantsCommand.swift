import ArgumentParser
import Foundation
import SpoolClient
import SpoolCore

struct Tenants: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create, list, limit, rotate the key of, and delete tenants (needs the admin key); show their usage.",
        discussion: """
            These call the admin API with the admin key from $SPOOL_ADMIN_KEY (or --api-key). A tenant's key is \
            printed once, when it is created or rotated; Spool keeps only its hash.

            Examples:
              export SPOOL_ADMIN_KEY=$(cat /etc/spool/admin.key)
              spool tenants create acme --max-concurrent 20 --max-queued 1000 --rate 50
              spool tenants list
              spool tenants limit acme --gpu-seconds-per-day 86400
              spool tenants rotate-key acme
              spool tenants delete acme
              spool tenants usage acme --from 2026-11-01
            """,
        subcommands: [
            CreateTenant.self, ListTenants.self, LimitTenant.self, RotateTenantKey.self, DeleteTenant.self,
            ShowTenantUsage.self,
        ],
        defaultSubcommand: ListTenants.self)
}

struct TenantLimitOptions: ParsableArguments {
    @Option(help: "Jobs running at once; more wait their turn.") var maxConcurrent: Int?
    @Option(help: "Jobs queued at once; more are refused with 429.") var maxQueued: Int?
    @Option(help: "Requests per second (burst the same).") var rate: Double?
    @Option(help: "GPU-seconds of transcoding per UTC day.") var gpuSecondsPerDay: Double?
    @Option(help: "Bytes uploaded per UTC day.") var uploadBytesPerDay: Int64?
    @Option(help: "Days finished jobs and their files are kept (else the server's --retention-days).")
    var retainDays: Double?

    var limits: TenantLimits {
        TenantLimits(
            maxConcurrent: maxConcurrent, maxQueued: maxQueued, gpuSecondsPerDay: gpuSecondsPerDay,
            uploadBytesPerDay: uploadBytesPerDay, requestsPerSecond: rate, retainDays: retainDays)
    }
}

struct CreateTenant: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create a tenant and print its API key (shown this once).")

    @Argument(help: "Lower-case letters, digits and dashes.") var name: String
    @OptionGroup var limits: TenantLimitOptions
    @Flag(help: "Print JSON: {\"id\": …, \"api_key\": …}.") var json = false
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let client = try options.adminClient
        let tenant = try await reportingErrors {
            try await client.createTenant(TenantRequest(id: name, limits: limits.limits))
        }
        if json { return try Terminal.printJSON(tenant) }
        print(tenant.apiKey ?? "")
        Terminal.note("tenant \(tenant.id) created; its API key is above and is not shown again")
    }
}

struct ListTenants: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List tenants and their limits.")

    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let client = try options.adminClient
        let tenants = try await reportingErrors { try await client.tenants() }
        if json { return try Terminal.printJSON(tenants) }
        if tenants.isEmpty { return print("no tenants; create one with `spool tenants create NAME`") }
        let show = { (value: Double?) in value.map { $0 == $0.rounded() ? "\(Int($0))" : "\($0)" } ?? "-" }
        print(
            Terminal.table(
                ["tenant", "key", "concurrent", "queued", "rate/s", "GPU-s/day", "upload B/day"],
                tenants.map { tenant in
                    [
                        tenant.id.rawValue, "…" + tenant.keyHint, show(tenant.limits.maxConcurrent.map(Double.init)),
                        show(tenant.limits.maxQueued.map(Double.init)), show(tenant.limits.requestsPerSecond),
                        show(tenant.limits.gpuSecondsPerDay), show(tenant.limits.uploadBytesPerDay.map(Double.init)),
                    ]
                }))
    }
}

struct LimitTenant: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "limit", abstract: "Change a tenant's limits; the ones not given stay.")

    @Argument var name: String
    @OptionGroup var limits: TenantLimitOptions
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let client = try options.adminClient
        let tenant = try await reportingErrors { try await client.updateTenant(name, limits: limits.limits) }
        print("tenant \(tenant.id) limits updated")
    }
}

struct RotateTenantKey: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-key", abstract: "Give a tenant a new key; the old one stops working within seconds.")

    @Argument var name: String
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let client = try options.adminClient
        let tenant = try await reportingErrors { try await client.rotateKey(name) }
        if json { return try Terminal.printJSON(tenant) }
        print(tenant.apiKey ?? "")
        Terminal.note("tenant \(tenant.id) has a new key (above); the old one no longer works")
    }
}

struct DeleteTenant: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete", abstract: "Delete a tenant and its key; its jobs and files stay.")

    @Argument var name: String
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let client = try options.adminClient
        try await reportingErrors { try await client.deleteTenant(name) }
        print("tenant \(name) deleted")
    }
}
