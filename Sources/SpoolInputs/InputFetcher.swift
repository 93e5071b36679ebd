import Foundation
import SpoolCore

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Downloads `http(s)://` inputs with Spool's own client: ffmpeg never sees a user's URL. Redirects are refused
/// (each hop would need its own address check) and the host is checked again right before the request.
public struct InputFetcher: Sendable {
    public var access: InputAccess
    public var timeout: Duration

    public init(access: InputAccess, timeout: Duration = .seconds(300)) {
        self.access = access
        self.timeout = timeout
    }

    public func fetch(_ url: String, to destination: String) async throws(JobError) {
        do {
            try access.checkHost(of: url)
        } catch {
            throw JobError(code: .inputUnavailable, message: "refused to fetch \(url): \(error.message)")
        }
        guard let target = URL(string: url) else {
            throw JobError(code: .invalidInput, message: "'\(url)' is not a URL")
        }
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 30
        configuration.timeoutIntervalForResource = timeout.seconds
        let session = URLSession(configuration: configuration, delegate: RedirectRefusal(), delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        let downloaded: URL
        let response: URLResponse
        do {
            (downloaded, response) = try await session.download(for: URLRequest(url: target))
        } catch {
            throw JobError(code: .inputUnavailable, message: "could not download \(url): \(error.localizedDescription)")
        }
        defer { try? FileManager.default.removeItem(at: downloaded) }
        guard let http = response as? HTTPURLResponse, (200..<300).contains(http.statusCode) else {
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            throw JobError(
                code: .inputUnavailable, message: "\(url) answered HTTP \(status); redirects are not followed")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: downloaded.path)[.size] as? Int64) ?? 0
        guard size <= access.policy.maxUploadBytes else {
            throw JobError(
                code: .inputUnavailable,
                message: "\(url) is \(size) bytes, over the \(access.policy.maxUploadBytes)-byte limit")
        }
        do {
            try? FileManager.default.removeItem(atPath: destination)
            try FileManager.default.moveItem(atPath: downloaded.path, toPath: destination)
        } catch {
            throw JobError(code: .internalError, message: "could not stage the download: \(error.localizedDescription)")
        }
    }
}

private final class RedirectRefusal: NSObject, URLSessionTaskDelegate, Sendable {
    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}
