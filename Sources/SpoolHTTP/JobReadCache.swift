import Foundation
import Hummingbird
import SpoolAPIModels
import SpoolCore
import Synchronization

/// The in-process (L1) cache of `GET /v1/jobs/{id}` answers, as encoded JSON. A succeeded job never changes until
/// its retention ends, so it stays until evicted or expired (then the store says whether it is gone); any other job is served from here for `liveLifetime` at most, so a client polling a running
/// job sees progress that is that much old at worst on any gateway. Changes made through this gateway drop the entry
/// at once.
public struct JobCacheSettings: Sendable, Equatable {
    public var capacity: Int
    public var policy: CachePolicy
    public var liveLifetime: Duration

    public init(capacity: Int = 10_000, policy: CachePolicy = .arc, liveLifetime: Duration = .milliseconds(500)) {
        self.capacity = capacity
        self.policy = policy
        self.liveLifetime = liveLifetime
    }
}

final class JobReadCache: Sendable {
    struct Entry: Sendable {
        var body: ByteBuffer
        var tenant: TenantID
        var final: Bool
        /// When the job's retention ends: past it the job may be deleted at any moment.
        var expiresAt: Date?
        var storedAt: ContinuousClock.Instant
    }

    let settings: JobCacheSettings
    private let entries: Mutex<BoundedCache<JobID, Entry>>
    /// Reads of the store in flight, one per job, shared by the requests that missed meanwhile.
    private let loads = Mutex<[JobID: Task<Entry?, any Error>]>([:])

    init(settings: JobCacheSettings) {
        self.settings = settings
        entries = Mutex(BoundedCache(capacity: settings.capacity, policy: settings.policy))
    }

    /// The cached answer if it is fresh and the caller may see the job; nil sends the request to the store.
    func response(for id: JobID, caller: Caller) -> Response? {
        cachedBody(for: id, caller: caller).map(Self.response)
    }

    /// The cached answer's JSON if it is fresh and the caller may see the job.
    func cachedBody(for id: JobID, caller: Caller) -> ByteBuffer? {
        guard settings.capacity > 0 else { return nil }
        let now = ContinuousClock.now
        guard let entry = entries.withLock({ $0.value(for: id) }),
            (entry.final && entry.expiresAt.map { Date() < $0 } ?? true)
                || now - entry.storedAt < settings.liveLifetime,
            caller.sees(entry.tenant)
        else { return nil }
        return entry.body
    }

    /// The cached answer, or else the job read once for every request that misses it meanwhile: `read` returns the
    /// job's view and tenant (nil: no such job), and its answer is kept. Nil when there is no such job or the caller
    /// may not see it.
    ///
    /// Without the sharing, a thousand clients polling one job all read the store and encode the job each time its
    /// entry expires: at 1,000 connections that was 4 % of the gateway's reads, each costing several hits' worth.
    func response(
        for id: JobID, caller: Caller, read: @escaping @Sendable () async throws -> (view: JobView, tenant: TenantID)?
    ) async throws -> Response? {
        if let cached = response(for: id, caller: caller) { return cached }
        let load = loads.withLock { inFlight in
            if let running = inFlight[id] { return running }
            // Unstructured: a requester that goes away does not cancel the read the others wait for.
            let started = Task { [self] () throws -> Entry? in
                defer { loads.withLock { _ = $0.removeValue(forKey: id) } }
                guard let read = try await read() else { return nil }
                return try keep(read.view, tenant: read.tenant)
            }
            inFlight[id] = started
            return started
        }
        guard let entry = try await load.value, caller.sees(entry.tenant) else { return nil }
        return Self.response(entry.body)
    }

    /// Encodes the view and keeps it (when the cache has room at all).
    private func keep(_ view: JobView, tenant: TenantID) throws -> Entry {
        let entry = Entry(
            body: ByteBuffer(bytes: try JSONCoding.encoder.encode(view)), tenant: tenant,
            final: view.state == .succeeded, expiresAt: view.expiresAt, storedAt: .now)
        if settings.capacity > 0 { entries.withLock { $0.set(entry, for: view.id) } }
        return entry
    }

    func invalidate(_ id: JobID) { entries.withLock { $0.remove(id) } }

    static func response(_ body: ByteBuffer) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: body))
    }
}
