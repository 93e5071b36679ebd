/// A segmented job's progress: its tasks' progress added up (a finished task counts whole).
public enum SegmentProgress {
    public static func fraction(of tasks: [Job]) -> Double {
        guard !tasks.isEmpty else { return 0 }
        let done = tasks.reduce(0.0) { sum, task in
            switch task.state {
            case .succeeded: sum + 1
            case .running: sum + min(1, max(0, task.progress?.fraction ?? 0))
            default: sum
            }
        }
        return done / Double(tasks.count)
    }
}
