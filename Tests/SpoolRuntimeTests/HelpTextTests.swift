import ArgumentParser
import Testing

@testable import SpoolCommands

/// `--help` is where a new user learns a command: every command's help must render as prose, without the stray
/// backslash a doubled line continuation leaves in a multi-line string.
@Suite struct HelpTextTests {
    static func allCommands(_ command: any ParsableCommand.Type = SpoolCommand.self) -> [any ParsableCommand.Type] {
        [command] + command.configuration.subcommands.flatMap { allCommands($0) }
    }

    @Test func everyCommandsHelpReadsAsProse() {
        let commands = Self.allCommands()
        #expect(commands.count > 20)
        for command in commands {
            let help = SpoolCommand.helpMessage(for: command, columns: 120)
            #expect(!help.contains(" \\\n") && !help.contains("\\ "), "\(command._commandName): \(help)")
        }
    }
}
