/// Workers marked since the marks were last taken, each once, in the order first marked. The simulator keeps two:
/// the workers it changed behind the planner's back (`PlacementView.changedWorkers`), and those whose reservations
/// changed since the busy GPUs were last counted.
struct WorkerMarks {
    private var marked: [Int] = []
    private var isMarked: [Bool]

    /// Marks for a fleet of `workers`, none marked.
    init(workers: Int) {
        isMarked = Array(repeating: false, count: workers)
    }

    mutating func mark(_ worker: Int) {
        guard !isMarked[worker] else { return }
        isMarked[worker] = true
        marked.append(worker)
    }

    /// The marked workers; none is marked afterwards.
    mutating func take() -> [Int] {
        for worker in marked { isMarked[worker] = false }
        defer { marked = [] }
        return marked
    }
}
