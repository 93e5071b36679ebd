import Foundation
import SpoolAPIModels
import SpoolCore
import Testing

/// A job's usage and a tenant's per-day usage, written as the OpenAPI document says; a segmented job's includes its
/// tasks'.
@Suite struct UsageWireFormatTests {
    let t0 = Date(timeIntervalSince1970: 2_000_000)
    let wire = WireFormatTests()
    let gpu = AttemptUsage(device: "gpu0 (NVIDIA L4)", gpuSeconds: 90, cpuSeconds: 0, cost: 0.02, energyJoules: 6300)
    let cpu = AttemptUsage(device: "cpu", gpuSeconds: 0, cpuSeconds: 40, cost: nil, energyJoules: nil)

    func job(_ id: String) -> Job {
        Job(
            id: JobID(rawValue: id),
            spec: JobSpec(input: .file(path: "/in/a.mp4"), outputs: Presets.named("web-360p")!.outputs), now: t0)
    }

    @Test func aJobsUsageIsWrittenAsTheOpenAPIDocumentSays() throws {
        var job = job("job_u")
        job.usage = JobUsage().adding(gpu).adding(cpu)
        let json = try wire.encoded(JobView(job, layout: DataLayout(root: "/data")))
        try wire.expectKeys(of: json, match: "Job")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let usage = try #require(object["usage"] as? [String: Any])
        try wire.expectKeys(Set(usage.keys), match: "JobUsage")
        #expect(usage["cost"] as? Double == 0.02 && usage["currency"] as? String == "USD")
        #expect(usage["unpriced_attempts"] as? Int == 1 && usage["energy_joules"] as? Double == 6300)
        let devices = try #require(usage["devices"] as? [[String: Any]])
        #expect(devices.map { $0["device"] as? String } == ["gpu0 (NVIDIA L4)", "cpu"])
        #expect(try APIJSON.decoder.decode(JobView.self, from: Data(json.utf8)).usage == job.usage)
    }

    @Test func aTenantsDaysAreWrittenAsTheOpenAPIDocumentSays() throws {
        let range = try UsageRange(from: "2026-11-01", to: "2026-11-02", now: t0)
        let view = TenantUsageView(
            tenant: TenantID(rawValue: "acme"), range: range,
            usage: ["2026-11-02": TenantUsage(gpuSeconds: 90) + TenantUsage(attempt: cpu, finishedJob: true)])
        let json = try wire.encoded(view)
        try wire.expectKeys(of: json, match: "TenantUsage")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let days = try #require(object["days"] as? [[String: Any]])
        #expect(days.count == 1)
        try wire.expectKeys(Set(days[0].keys), match: "UsageFigures")
        // An unknown cost is written as null, and the total has no date.
        #expect(days[0]["cost"] is NSNull && days[0]["energy_joules"] is NSNull)
        let total = try #require(object["total"] as? [String: Any])
        try wire.expectKeys(Set(total.keys), match: "UsageFigures")
        #expect(total["date"] == nil && total["jobs"] as? Int == 1)
        #expect(try APIJSON.decoder.decode(TenantUsageView.self, from: Data(json.utf8)) == view)
    }

    @Test func aSegmentedJobShowsItsTasksUsageWithItsOwn() {
        var parent = job("job_p")
        parent.usage = JobUsage().adding(cpu)
        let tasks = SegmentPlanner.tasks(
            parent: parent.id, starts: [0, 10], frames: [250, 250], outputs: parent.spec.outputs, audio: nil)
        var records: [Segmentation.TaskRecord] = []
        var taskJobs: [JobID: Job] = [:]
        for (index, task) in tasks.enumerated() {
            var taskJob = job("job_t\(index)")
            taskJob.usage = JobUsage().adding(gpu)
            records.append(Segmentation.TaskRecord(task: task, job: taskJob.id))
            taskJobs[taskJob.id] = taskJob
        }
        parent.segmentation = Segmentation(starts: [0, 10], tasks: records)
        var view = JobView(parent, layout: DataLayout(root: "/data"))
        #expect(view.usage?.attempts == 1)
        view.show(tasks: taskJobs, of: parent)
        let usage = view.usage
        #expect(usage?.attempts == 1 + tasks.count && usage?.gpuSeconds == 90 * Double(tasks.count))
        #expect(usage?.cpuSeconds == 40 && usage?.unpricedAttempts == 1)
        #expect(abs((usage?.cost ?? 0) - 0.02 * Double(tasks.count)) < 1e-12)
        #expect(usage?.devices.map(\.device) == ["cpu", "gpu0 (NVIDIA L4)"])
    }
}
