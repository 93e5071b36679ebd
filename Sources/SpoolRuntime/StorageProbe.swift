import SpoolStorage

/// The storage's health for `/ready`, asked at most every `interval`: wrong credentials or a missing bucket make the
/// gateway answer 503 with the reason, so a balancer sends traffic elsewhere and an operator sees why.
actor StorageProbe {
    let objects: any ObjectStorage
    let interval: Duration
    var checkedAt: ContinuousClock.Instant?
    var last: String?

    init(objects: any ObjectStorage, interval: Duration = .seconds(5)) {
        self.objects = objects
        self.interval = interval
    }

    func problem() async -> String? {
        let now = ContinuousClock.now
        if let checkedAt, now - checkedAt < interval { return last }
        do {
            try await objects.checkAvailable()
            last = nil
        } catch {
            last = "\(objects.name): \(error)"
        }
        checkedAt = ContinuousClock.now
        return last
    }
}
