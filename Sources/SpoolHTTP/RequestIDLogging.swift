import Hummingbird
import Logging

/// The ID of the request a task is answering, on every line logged while it answers (`hb.request.id`, as Hummingbird
/// names it).
///
/// Why a task-local read by a metadata provider, not the request logger's own metadata: the provider runs only when a
/// line is logged. Set on the logger, the ID copied the logger's storage and re-rendered the handler's metadata on
/// every request (swift-log's stream handler formats its metadata as it changes), 2 % of a gateway's GET, for lines
/// that are almost never written.
enum RequestIDLogging {
    @TaskLocal static var requestID: RequestID?

    static let metadataProvider = Logger.MetadataProvider {
        guard let requestID else { return [:] }
        return ["hb.request.id": .stringConvertible(requestID)]
    }

    /// `logger`, whose lines carry the request's ID besides what its own provider adds.
    static func tagging(_ logger: Logger) -> Logger {
        var logger = logger
        logger.handler.metadataProvider =
            logger.metadataProvider.flatMap { .multiplex([$0, metadataProvider]) } ?? metadataProvider
        return logger
    }
}
