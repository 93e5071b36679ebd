import Foundation
import Testing

@testable import SpoolCore

/// A tenant's idempotency keys are filed by whether it has a queued-jobs quota; the record says when that changed so
/// a store reads the other place only while a key filed there can still be live.
@Suite struct TenantQuotaChangeTests {
    let created = Date(timeIntervalSince1970: 1_000_000)

    func tenant(maxQueued: Int?) -> Tenant {
        Tenant(
            id: TenantID(rawValue: "acme"), keyHash: "h", keyHint: "abcd",
            limits: TenantLimits(maxQueued: maxQueued), createdAt: created)
    }

    @Test func aTenantAsCreatedHasNoKeysFiledElsewhere() {
        #expect(!tenant(maxQueued: 10).mayHaveKeysFiledElsewhere(now: created))
        #expect(!tenant(maxQueued: nil).mayHaveKeysFiledElsewhere(now: created))
        // Changing the quota's size files nothing differently.
        let resized = tenant(maxQueued: 10).withLimits(TenantLimits(maxQueued: 20), now: created + 60)
        #expect(resized.queuedQuotaChangedAt == nil && resized.limits.maxQueued == 20)
    }

    @Test func addingOrRemovingTheQuotaOpensAWindowAsLongAsTheIdempotencyWindow() {
        let changed = created + 3600
        for (before, after) in [(nil, 5), (5, nil)] as [(Int?, Int?)] {
            let next = tenant(maxQueued: before).withLimits(TenantLimits(maxQueued: after), now: changed)
            #expect(next.queuedQuotaChangedAt == changed)
            #expect(next.mayHaveKeysFiledElsewhere(now: changed + JobSpec.idempotencyWindow - 1))
            #expect(!next.mayHaveKeysFiledElsewhere(now: changed + JobSpec.idempotencyWindow))
        }
    }
}
