import SpoolCore

/// What makes two waiting jobs ask the preemption planner the same question: the room they need where (their
/// `SearchKind`) and what they may evict (class and priority). Tenants do not enter into it: victims are chosen by
/// class and priority.
struct PreemptionTwin: Hashable {
    var kind: SearchKind
    var serviceClass: ServiceClass
    var priority: Int

    init(_ job: QueuedJob) {
        kind = SearchKind(job)
        serviceClass = job.serviceClass
        priority = job.priority
    }
}
