/// Times loops by the minimum over repeated trials, which is the least disturbed by other work
/// on the machine.
struct Stopwatch {
  /// Trials per measurement.
  let trials: Int

  /// Nanoseconds per step of `body`, which runs the number of steps it is given: the minimum
  /// over ``trials`` trials of `steps` steps.
  func nanosecondsPerStep(steps: Int, _ body: (Int) throws -> Void) rethrows -> Double {
    var best = Double.infinity
    for _ in 0..<trials { best = min(best, try Self.nanoseconds { try body(steps) }) }
    return best / Double(steps)
  }

  /// Nanoseconds per step of two loops timed in alternation (trial by trial), so that both see
  /// the same machine load.
  func nanosecondsPerStep(
    steps: Int, _ first: (Int) throws -> Void, _ second: (Int) throws -> Void
  ) rethrows -> (first: Double, second: Double) {
    var best = (first: Double.infinity, second: Double.infinity)
    for _ in 0..<trials {
      best.first = min(best.first, try Self.nanoseconds { try first(steps) })
      best.second = min(best.second, try Self.nanoseconds { try second(steps) })
    }
    return (best.first / Double(steps), best.second / Double(steps))
  }

  private static func nanoseconds(_ body: () throws -> Void) rethrows -> Double {
    let clock = ContinuousClock()
    let start = clock.now
    try body()
    let elapsed = clock.now - start
    return Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) * 1e-9
  }
}
