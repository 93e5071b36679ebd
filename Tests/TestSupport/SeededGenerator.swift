import SpoolDispatch

/// A deterministic generator, so tests that draw at random (backoff jitter, mangled inputs) repeat exactly, failures
/// included: the dispatcher's own SplitMix64.
public typealias SeededGenerator = SplitMix64
