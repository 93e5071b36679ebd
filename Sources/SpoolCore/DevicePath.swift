/// How a job would run on one candidate device; the scheduler's name for the path a placement records.
public typealias DevicePath = PlacementPath
