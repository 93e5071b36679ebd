import SpoolCore

/// The store roles the pool manager plays: pools and their decisions, the workers and waiting jobs its signals come
/// from, and moving the waiting jobs of a pool it removes.
public typealias PoolManagerStore = PoolStore & WorkerRegistry & PlacementStore & JobReading & JobTransitions
