import ArgumentParser

/// How often the leader looks for expired jobs (the windows themselves are `--retention-days` on the API).
struct RetentionSweepOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Seconds between passes that delete expired jobs, their outputs and uploads (on the leader).",
            valueName: "seconds"))
    var retentionSweepSeconds: Double = 60

    func validate() throws {
        guard retentionSweepSeconds >= 0.1 else {
            throw ValidationError("--retention-sweep-seconds must be at least 0.1")
        }
    }
}
