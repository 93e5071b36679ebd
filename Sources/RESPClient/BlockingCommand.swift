/// How long a command may block the server-side connection, read from its own arguments.
///
/// A blocking call's timeout must be longer than the time it is allowed to block, or every empty wait ends in a
/// timeout error and a discarded connection; and it must not share a connection with pipelined traffic, which would
/// wait behind it.
enum BlockingCommand: Equatable {
    /// Not a blocking command, or a blocking-capable one called without blocking (`XREAD` without `BLOCK`).
    case nonBlocking
    case blocks(for: Duration)
    /// A zero timeout: blocks until data arrives.
    case forever
    /// A blocking command whose timeout argument could not be read.
    case unknown

    static func classify(_ command: [RESPArgument]) -> BlockingCommand {
        guard let name = command.first?.string.uppercased() else { return .nonBlocking }
        switch name {
        case "BLPOP", "BRPOP", "BZPOPMIN", "BZPOPMAX", "BRPOPLPUSH", "BLMOVE":
            return command.count >= 3 ? seconds(command[command.count - 1]) : .unknown
        case "BLMPOP", "BZMPOP":
            return command.count >= 2 ? seconds(command[1]) : .unknown
        case "WAIT":
            return command.count >= 3 ? milliseconds(command[2]) : .unknown
        case "WAITAOF":
            return command.count >= 4 ? milliseconds(command[3]) : .unknown
        case "XREAD", "XREADGROUP":
            let upper = command.map { $0.string.uppercased() }
            let streams = upper.firstIndex(of: "STREAMS") ?? upper.count
            guard let block = upper[..<streams].firstIndex(of: "BLOCK") else { return .nonBlocking }
            return block + 1 < streams ? milliseconds(command[block + 1]) : .unknown
        default:
            return .nonBlocking
        }
    }

    private static func seconds(_ argument: RESPArgument) -> BlockingCommand {
        guard let value = Double(argument.string), value >= 0, value.isFinite else { return .unknown }
        return value == 0 ? .forever : .blocks(for: .milliseconds(Int64((value * 1000).rounded(.up))))
    }

    private static func milliseconds(_ argument: RESPArgument) -> BlockingCommand {
        guard let value = Int64(argument.string), value >= 0 else { return .unknown }
        return value == 0 ? .forever : .blocks(for: .milliseconds(value))
    }
}
