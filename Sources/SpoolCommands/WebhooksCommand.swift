import ArgumentParser
import Foundation
import SpoolClient
import SpoolCore

struct Webhooks: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhooks",
        abstract: "Webhooks: the secret deliveries are signed with, and where a job's delivery stands.",
        discussion: """
            A job submitted with --callback-url gets a signed POST when it succeeds, fails or is cancelled. Check \
            each delivery's Spool-Signature with the secret from `spool webhooks secret`.

            Examples:
              spool webhooks secret
              spool webhooks show job_8f3k2m9x1q0w4e7r
            """,
        subcommands: [Secret.self, Show.self])

    struct Secret: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the secret your deliveries are signed with.")

        @Option(help: "With the admin key: whose secret.") var tenant: String?
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let client = try options.client
            let view = try await reportingErrors { try await client.webhookSecret(tenant: tenant) }
            if json { return try Terminal.printJSON(view) }
            print(view.secret)
            Terminal.error(view.scheme)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show where a job's webhook delivery stands.")

        @Argument(help: "The job ID (job_…).") var id: String
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let client = try options.client
            let delivery = try await reportingErrors { try await client.webhookDelivery(JobID(rawValue: id)) }
            if json { return try Terminal.printJSON(delivery) }
            var line = "\(delivery.state.rawValue) after \(delivery.attempts) tr\(delivery.attempts == 1 ? "y" : "ies")"
            if let status = delivery.lastStatus { line += ", last answer HTTP \(status)" }
            if let next = delivery.nextAttemptAt { line += ", next try \(next.formatted(.iso8601))" }
            print(line)
            if let error = delivery.lastError, delivery.state != .delivered { print("  \(error)") }
        }
    }
}
