/// H+1 consecutive observations of one trajectory, the unit of the rollout loss.
struct TrainingWindow: Sendable {
  /// The observations, row by row (`observationDimension` entries per row).
  let observations: [Double]
  /// The naive initial state read off the first observations.
  let naiveInitialState: [Double]
  /// Where the window's inferred initial state starts (``RolloutModel/initialStartParameters(naive:)``).
  let startParameters: [Double]
  /// The inputs `u_k` held over the window's H steps, step by step (H·m numbers; empty for a
  /// model without inputs).
  let inputs: [Double]

  /// Every window of `horizon + 1` consecutive samples (stride 1) of every trajectory.
  static func all<Model: RolloutModel>(
    of trajectories: [ObservedTrajectory], for model: Model, horizon: Int
  ) throws(LearningError) -> [TrainingWindow] {
    let n = model.configurationDimension
    let h = model.stepSize
    var windows: [TrainingWindow] = []
    for (t, trajectory) in trajectories.enumerated() {
      guard trajectory.layout == model.observationLayout else {
        throw .invalidConfiguration(
          name: "layout of trajectory \(t)", value: trajectory.layout.rawValue,
          requirement:
            "model \(model.kind.rawValue) does not learn from \(trajectory.layout.rawValue) data")
      }
      guard trajectory.dimension == n else {
        throw .dimensionMismatch(
          name: "q columns of trajectory \(t)", expected: n, actual: trajectory.dimension)
      }
      if model.observesVelocities, !trajectory.hasVelocities {
        throw .missingVelocities(model: model.kind.rawValue)
      }
      let m = model.inputCount
      if m > 0, trajectory.inputCount != m {
        throw .dimensionMismatch(
          name: "input columns u1… of trajectory \(t)", expected: m, actual: trajectory.inputCount)
      }
      for k in 1..<max(trajectory.count, 1) {
        let spacing = trajectory.times[k] - trajectory.times[k - 1]
        guard abs(spacing - h) <= 1e-6 * h else {
          throw .stepSizeMismatch(trajectory: t, expected: h, actual: spacing)
        }
      }
      guard trajectory.count >= horizon + 1 else { continue }
      for start in 0...(trajectory.count - horizon - 1) {
        var observations: [Double] = []
        for k in start...(start + horizon) {
          observations += trajectory.observation(k, withVelocities: model.observesVelocities)
        }
        let naive = model.naiveInitialState(observations)
        let inputs =
          m > 0 ? (start..<(start + horizon)).flatMap { trajectory.inputs?[$0] ?? [] } : []
        windows.append(
          TrainingWindow(
            observations: observations, naiveInitialState: naive,
            startParameters: model.initialStartParameters(naive: naive), inputs: inputs))
      }
    }
    guard !windows.isEmpty else {
      let longest = trajectories.map(\.count).max() ?? 0
      throw .notEnoughData(
        detail:
          "a window needs horizon + 1 = \(horizon + 1) samples; the longest trajectory has \(longest)"
      )
    }
    return windows
  }
}
