/// Events by virtual time, popped earliest first; ties pop in the order they were pushed, so runs replay exactly.
///
/// A calendar queue: the simulator pops only at its ticks, so events are filed in buckets one tick wide (a push is an
/// append) and a bucket is sorted once, when the clock reaches it. A fleet keeps a hundred thousand attempts here and
/// finishes a few thousand a tick: sifting each through a heap of all of them cost more than sorting the few due.
struct TickCalendar<Payload> {
    private struct Event {
        var time: Double
        var order: Int
        var payload: Payload
    }

    /// Seconds each bucket spans: the simulator's tick.
    let bucketSeconds: Double
    /// Events not yet reached, by bucket number (`time / bucketSeconds`, rounded down), in push order.
    private var buckets: [[Event]] = []
    /// Events too far ahead for a bucket of their own (more than `horizon` buckets on), in push order.
    private var distant: [Event] = []
    /// The first bucket not yet moved to `reached`.
    private var nextBucket = 0
    /// Events of the buckets reached so far, latest first, so the earliest pops off the end.
    private var reached: [Event] = []
    private var pushed = 0
    private(set) var count = 0

    init(bucketSeconds: Double) {
        precondition(bucketSeconds > 0 && bucketSeconds.isFinite, "a bucket spans a positive, finite time")
        self.bucketSeconds = bucketSeconds
    }

    var isEmpty: Bool { count == 0 }

    mutating func push(_ payload: Payload, at time: Double) {
        let event = Event(time: time, order: pushed, payload: payload)
        pushed += 1
        count += 1
        let bucket = bucketNumber(time)
        guard bucket >= nextBucket else {
            // Its bucket was already reached: it joins the sorted events there (rare: an event due within a tick).
            var low = 0
            var high = reached.count
            while low < high {
                let middle = (low + high) / 2
                if Self.precedes(reached[middle], event) { high = middle } else { low = middle + 1 }
            }
            reached.insert(event, at: low)
            return
        }
        if bucket - nextBucket > Self.horizon {
            distant.append(event)
            return
        }
        if bucket >= buckets.count { buckets.append(contentsOf: repeatElement([], count: bucket - buckets.count + 1)) }
        buckets[bucket].append(event)
    }

    /// Removes and returns the earliest event if it is due at `time` or before.
    mutating func pop(dueBy time: Double) -> (time: Double, payload: Payload)? {
        guard count > 0 else { return nil }
        reach(bucketNumber(time))
        guard let last = reached.last, last.time <= time else { return nil }
        reached.removeLast()
        count -= 1
        return (last.time, last.payload)
    }

    /// Buckets kept ahead of the clock at most (a year of 15-second ticks); later events wait in `distant`.
    private static var horizon: Int { 2_000_000 }

    /// Moves the events of every bucket up to `bucket` into `reached`, keeping it sorted latest first.
    private mutating func reach(_ bucket: Int) {
        let before = reached.count
        if !distant.isEmpty {
            let width = bucketSeconds
            let due = distant.filter { Self.bucketNumber($0.time, width: width) <= bucket }
            if !due.isEmpty {
                reached.append(contentsOf: due)
                distant.removeAll { Self.bucketNumber($0.time, width: width) <= bucket }
            }
        }
        let through = min(bucket, buckets.count - 1)
        guard through >= nextBucket else {
            if reached.count > before { reached.sort { Self.precedes($1, $0) } }
            return
        }
        for number in nextBucket...through where !buckets[number].isEmpty {
            reached.append(contentsOf: buckets[number])
            // Its memory goes too: a day has thousands of buckets, each once as large as a tick's finishes.
            buckets[number] = []
        }
        nextBucket = through + 1
        if reached.count > before { reached.sort { Self.precedes($1, $0) } }
    }

    /// The bucket an event at `time` is filed in. Rounding down is monotonic, so every event due by a time lies in
    /// a bucket no later than that time's. Times beyond a trillion buckets (or infinite) share the last number.
    private func bucketNumber(_ time: Double) -> Int { Self.bucketNumber(time, width: bucketSeconds) }

    private static func bucketNumber(_ time: Double, width: Double) -> Int {
        let number = (time / width).rounded(.down)
        guard number > 0 else { return 0 }
        return number < 1e12 ? Int(number) : 1_000_000_000_000
    }

    private static func precedes(_ lhs: Event, _ rhs: Event) -> Bool {
        lhs.time != rhs.time ? lhs.time < rhs.time : lhs.order < rhs.order
    }
}
