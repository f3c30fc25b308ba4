/// Contiguous buffers of numbers, one per purpose (a case of `Purpose`), that grow to the
/// largest size asked for and are then reused: the storage of ``RolloutWorkspace`` and
/// ``PixelWorkspace``, so that a training iteration allocates none of its per-step or
/// frame-sized memory. Used by one thread at a time.
final class BufferPool<Purpose: RawRepresentable & CaseIterable> where Purpose.RawValue == Int {
  private var storage: [UnsafeMutablePointer<Double>?]
  private var capacities: [Int]

  init() {
    storage = Array(repeating: nil, count: Purpose.allCases.count)
    capacities = Array(repeating: 0, count: Purpose.allCases.count)
  }

  deinit {
    for pointer in storage { pointer?.deallocate() }
  }

  /// At least `count` numbers for `purpose`, valid until the next call for the same purpose
  /// with a larger count; the contents are unspecified (whatever the last user left).
  func buffer(_ purpose: Purpose, count: Int) -> UnsafeMutablePointer<Double> {
    let index = purpose.rawValue
    if let pointer = storage[index], capacities[index] >= count { return pointer }
    storage[index]?.deallocate()
    // Grow geometrically, so that a sequence of growing requests reallocates O(log n) times.
    let capacity = max(count, 2 * capacities[index], 64)
    let pointer = UnsafeMutablePointer<Double>.allocate(capacity: capacity)
    pointer.initialize(repeating: 0, count: capacity)
    storage[index] = pointer
    capacities[index] = capacity
    return pointer
  }
}
