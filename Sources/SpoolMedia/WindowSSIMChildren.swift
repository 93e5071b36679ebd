import Foundation
import Synchronization

/// The measuring children of this process (`WindowSSIMChild`), kept between jobs: a measurement takes an idle child
/// of the binary asked for, or starts one, and hands it back when it replied. As many children live as measurements
/// ran at once (at most `keepIdle` stay idle). A child that ended while idle (killed, crashed on an earlier file) is
/// replaced once; one that cannot measure at all sends the measurement to ffmpeg.
public final class WindowSSIMChildren: Sendable {
    /// The process's children, for every meter of the process.
    public static let shared = WindowSSIMChildren()

    let keepIdle: Int
    private let idle = Mutex<[String: [WindowSSIMChild]]>([:])

    public init(keepIdle: Int = 4) {
        self.keepIdle = keepIdle
        // Writing a request to a child that just died must fail that write (EPIPE), not end this process.
        signal(SIGPIPE, SIG_IGN)
    }

    /// How many idle children of `spool` wait for work.
    func idleCount(spool: String) -> Int { idle.withLock { $0[spool]?.count ?? 0 } }

    func measure(spool: String, request: WindowSSIM.Request, timeout: Duration, clock: any Clock<Duration>) async
        -> SSIMMeter.ChildMeasurement
    {
        let line = WindowSSIM.encodedLine(request)
        var kept = take(spool: spool)
        while true {
            let child = kept ?? WindowSSIMChild(spool: spool)
            switch await child.ask(line, timeout: timeout, clock: clock) {
            case .replied(let text):
                giveBack(child, spool: spool)
                guard let reply = try? JSONDecoder().decode(WindowSSIM.Reply.self, from: Data(text.utf8)),
                    case .success(let value) = reply.outcome
                else { return .declined }  // a refusal: ffmpeg measures these files and judges them
                return .measured(value)
            case .timedOut:
                return .outOfTime
            case .ended:
                child.stop()
                // A kept child may have ended while it waited: one new child tries before ffmpeg does, unless the
                // measurement was called off.
                if Task.isCancelled { return .outOfTime }
                guard kept != nil else { return .declined }
                kept = nil
            }
        }
    }

    /// Ends every idle child (each ends when its standard input closes).
    public func stopAll() {
        let all = idle.withLock { idle in
            defer { idle.removeAll() }
            return idle.values.flatMap { $0 }
        }
        for child in all { child.stop() }
    }

    private func take(spool: String) -> WindowSSIMChild? {
        idle.withLock { $0[spool]?.popLast() }
    }

    private func giveBack(_ child: WindowSSIMChild, spool: String) {
        let kept = idle.withLock { idle in
            guard !child.hasEnded, idle[spool, default: []].count < keepIdle else { return false }
            idle[spool, default: []].append(child)
            return true
        }
        if !kept { child.stop() }
    }
}
