import SpoolCore

/// The store roles housekeeping plays: it surveys workers, forgets dead ones, and recovers their leases.
public typealias HousekeepingStore = LeaseRecovery & WorkerRegistry
