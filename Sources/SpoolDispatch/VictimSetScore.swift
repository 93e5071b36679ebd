/// How much a set of victims costs, compared field by field: fewer jobs, then fewer from the more important
/// classes, then lower priorities, then less work thrown away (jobs started most recently lose least).
struct VictimSetScore: Comparable {
    var count: Int
    /// Victims per class, the most important class first.
    var victimsPerClass: [Int]
    var prioritySum: Int
    var secondsOfWorkLost: Double

    static func < (lhs: VictimSetScore, rhs: VictimSetScore) -> Bool {
        if lhs.count != rhs.count { return lhs.count < rhs.count }
        if lhs.victimsPerClass != rhs.victimsPerClass {
            return lhs.victimsPerClass.lexicographicallyPrecedes(rhs.victimsPerClass)
        }
        if lhs.prioritySum != rhs.prioritySum { return lhs.prioritySum < rhs.prioritySum }
        return lhs.secondsOfWorkLost < rhs.secondsOfWorkLost
    }
}
