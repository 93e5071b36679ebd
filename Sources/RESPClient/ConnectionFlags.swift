import Synchronization

/// State shared between a connection's handler (on its event loop) and the connection object (anywhere).
final class ConnectionFlags: Sendable {
    private let broken = Atomic<Bool>(false)
    private let closing = Atomic<Bool>(false)

    var isBroken: Bool { broken.load(ordering: .acquiring) }
    var isClosing: Bool { closing.load(ordering: .acquiring) }
    func markBroken() { broken.store(true, ordering: .releasing) }
    func markClosing() {
        closing.store(true, ordering: .releasing)
        markBroken()
    }
}
