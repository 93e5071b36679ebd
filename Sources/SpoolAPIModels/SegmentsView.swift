import Foundation
import SpoolCore

/// A segmented job's segments as the API shows them: each task, where it runs and how far it is; or why the job
/// was encoded whole.
public struct SegmentsView: Codable, Sendable, Equatable {
    public struct Task: Codable, Sendable, Equatable {
        public var name: String
        /// The job that carries the task; its placement explanation is at /v1/jobs/{job}/placement.
        public var job: JobID
        /// `video` (one segment of one rendition) or `companion` (audio and thumbnails from the whole input).
        public var kind: String
        public var segment: Int?
        public var output: String?
        public var rendition: Int?
        public var start: Double?
        public var end: Double?
        /// Nil where the task was not read (lists and events show the plan only).
        public var state: JobState?
        public var worker: WorkerID?
        public var progress: Double?
        public var attempts: Int?
        public var ssim: Double?

        enum CodingKeys: String, CodingKey {
            case name, job, kind, segment, output, rendition, start, end, state, worker, progress, attempts, ssim
        }
    }

    /// Set when the job was encoded whole although segmenting was allowed or asked.
    public var wholeFileReason: String?
    public var count: Int
    /// Where each segment starts, in seconds on the input's timeline.
    public var starts: [Double]
    public var done: Int
    public var running: Int
    public var waiting: Int
    public var tasks: [Task]

    public init(_ segmentation: Segmentation, outputs: [OutputSpec], tasks read: [JobID: Job] = [:]) {
        wholeFileReason = segmentation.wholeFileReason
        count = segmentation.starts.count
        starts = segmentation.starts
        tasks = segmentation.tasks.map { record in
            let job = read[record.job]
            var task = Task(
                name: record.task.name, job: record.job, kind: "companion", start: record.task.start,
                end: record.task.end, state: job?.state, worker: job?.worker,
                progress: job.map { $0.state == .succeeded ? 1 : ($0.progress?.fraction ?? 0) },
                attempts: job?.attempt, ssim: job?.outputs.first?.ssim)
            if case .video(let segment, let output, let rendition) = record.task.piece {
                task.kind = "video"
                task.segment = segment
                task.output = output < outputs.count ? outputs[output].name : nil
                task.rendition = rendition
            } else if case .audio(let segment) = record.task.piece {
                task.kind = "audio"
                task.segment = segment
            }
            return task
        }
        done = tasks.filter { $0.state == .succeeded }.count
        running = tasks.filter { $0.state == .running }.count
        waiting = tasks.filter { $0.state == .queued }.count
    }

    enum CodingKeys: String, CodingKey {
        case count, starts, done, running, waiting, tasks
        case wholeFileReason = "whole_file_reason"
    }
}
