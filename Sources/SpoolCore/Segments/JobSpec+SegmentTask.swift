extension JobSpec {
    /// Segment tasks keep their outputs only until the parent has joined them (a day is plenty; the parent's own
    /// retention applies to what it publishes).
    public static let segmentTaskRetentionDays = 1.0

    /// Idempotency keys with this prefix are Spool's own (a client's is refused): they name segment tasks, which
    /// quotas do not count.
    public static let segmentTaskKeyPrefix = "spool-segment:"

    /// The idempotency key of a task: planning the same job again (after its worker died) finds the tasks it made.
    public static func segmentTaskKey(_ task: SegmentTask) -> String {
        "\(segmentTaskKeyPrefix)\(task.parent):\(task.name)"
    }

    /// The job that carries one task of this (the parent's) spec: same tenant, class, priority and hardware, so the
    /// scheduler places and shares it like its parent; outputs sized to the task, so it reserves only what one
    /// segment of one rendition needs. Every task runs in `pool` (the pool that planned it) and none may be degraded
    /// to a faster encoder setting: segments joined without a seam need identical encoders and settings.
    public func segmentTaskSpec(_ task: SegmentTask, pool: String?) -> JobSpec {
        let taskOutputs: [OutputSpec]
        switch task.piece {
        case .video(_, let output, let rendition):
            let video: VideoSettings
            switch outputs[output].format {
            case .mp4(let settings, _): video = settings
            case .hls(let renditions, _): video = renditions[rendition].video
            case .thumbnails: video = VideoSettings()
            }
            taskOutputs = [OutputSpec(name: task.name, format: .mp4(video: video, audio: .none))]
        case .audio:
            taskOutputs = []
        case .companion:
            taskOutputs = outputs.filter { $0.kind == .thumbnails }
        }
        return JobSpec(
            tenant: tenant, serviceClass: serviceClass, input: input, outputs: taskOutputs, priority: priority,
            pool: pool ?? self.pool, idempotencyKey: Self.segmentTaskKey(task),
            metadata: ["parent_job": task.parent.rawValue],
            preset: nil, acceleration: acceleration, callbackURL: nil, degradation: .forbid,
            retention: retention.overridden(days: Self.segmentTaskRetentionDays),
            segmenting: SegmentingRequest(mode: .off), segment: task, traceParent: traceParent)
    }
}
