import Foundation

/// How a job that could be split was made: the segments and the tasks that encode them, or why it was encoded
/// whole. Written by the worker that planned it; read by whoever joins the tasks and by the API.
public struct Segmentation: Codable, Sendable, Equatable {
    /// One task and the job that carries it.
    public struct TaskRecord: Codable, Sendable, Equatable {
        public var task: SegmentTask
        public var job: JobID

        public init(task: SegmentTask, job: JobID) {
            self.task = task
            self.job = job
        }
    }

    /// Set when the job was encoded whole although segmenting was allowed or asked: why.
    public var wholeFileReason: String?
    /// The cuts: segment `i` starts at `starts[i]` (seconds on the input's timeline); the first is the first frame.
    public var starts: [Double]
    /// The input's start time (the container's), which a whole-file encode subtracts from every timestamp.
    public var inputStart: Double
    /// Where the input's video ends on its timeline (for an HLS ladder's last cuts).
    public var end: Double
    public var tasks: [TaskRecord]
    /// The audio's frame grid when its audio was cut into pieces (nil: no audio, or a plan that encoded it whole in
    /// the companion).
    public var audioGrid: AudioGrid?

    public init(
        wholeFileReason: String? = nil, starts: [Double] = [], inputStart: Double = 0, end: Double = 0,
        tasks: [TaskRecord] = [], audioGrid: AudioGrid? = nil
    ) {
        self.audioGrid = audioGrid
        self.end = end
        self.wholeFileReason = wholeFileReason
        self.starts = starts
        self.inputStart = inputStart
        self.tasks = tasks
    }

    public static func wholeFile(because reason: String) -> Segmentation { Segmentation(wholeFileReason: reason) }

    public var isSplit: Bool { wholeFileReason == nil && !tasks.isEmpty }

    enum CodingKeys: String, CodingKey {
        case starts, tasks
        case wholeFileReason = "whole_file_reason"
        case inputStart = "input_start"
        case end
        case audioGrid = "audio_grid"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        wholeFileReason = try c.decodeIfPresent(String.self, forKey: .wholeFileReason)
        starts = try c.decodeIfPresent([Double].self, forKey: .starts) ?? []
        inputStart = try c.decodeIfPresent(Double.self, forKey: .inputStart) ?? 0
        end = try c.decodeIfPresent(Double.self, forKey: .end) ?? (starts.last ?? 0)
        tasks = try c.decodeIfPresent([TaskRecord].self, forKey: .tasks) ?? []
        audioGrid = try c.decodeIfPresent(AudioGrid.self, forKey: .audioGrid)
    }
}
