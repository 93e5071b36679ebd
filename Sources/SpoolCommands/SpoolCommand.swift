import ArgumentParser

/// `spool`: one binary for the server, the workers and the client.
public struct SpoolCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "spool",
        abstract: "Turn uploaded videos into streamable renditions on pools of GPU and CPU workers.",
        discussion: """
            Start a server on this machine, then submit a video and watch it:

              spool serve --data ./spool-data &
              spool submit talk.mp4 --preset hls-ladder --wait

            Every read command takes --json; every command takes --server URL (default $SPOOL_SERVER or \
            http://127.0.0.1:7878).
            """,
        subcommands: [
            Serve.self, Submit.self, Status.self, Placement.self, Jobs.self, Top.self, Simulate.self, Cancel.self,
            Workers.self,
            Pools.self, Tenants.self, Webhooks.self,
            PresetsCommand.self,
            Plan.self, Retry.self, DeadLetters.self, Gateway.self, WorkerCommand.self, Manager.self, MeasureSSIM.self,
        ]
    )

    public init() {}
}

extension SpoolCommand {
    /// Entry point for the executable: parses the arguments and runs the chosen command asynchronously.
    public static func runAsRoot() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
