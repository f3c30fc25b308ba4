import VINKit

/// Swing-up by receding-horizon prediction, from any model that forecasts under inputs: at every
/// sample the model forecasts a fixed set of torque plans from the measured state, and the first
/// torque of the plan it predicts best is applied (the next sample plans again).
///
/// A plan is a torque held one step, then four segments of 0.5 s, each torque one of
/// {−u_max, 0, u_max}: 3⁵ = 243 plans of K = 21 steps (2.1 s, about one swing), forecast together
/// in one batched rollout. A plan's cost is its predicted distance from rest upright,
///
///     Σ_{k=1…K} ((q_k − π)² + 0.1 q̇_k²)    (q_k − π wrapped to [−π, π]),
///
/// so the controller needs forecasts only, no energy. A plan whose forecast is not finite is never
/// chosen (and when none is finite, no torque is applied).
struct PredictiveSwingUp<Model: RolloutModel>: FeedbackLaw {
  let model: Model
  /// The plans' first torques.
  let firstTorques: [Double]
  /// Plan b's `u_0, …, u_{K−1}`, the plans back to back.
  let inputs: [Double]
  let steps: Int
  /// The rollouts' memory, reused from one sample to the next.
  let workspace = RolloutWorkspace()

  /// The 243 plans for torques within ±`maximumTorque`, for a model with step h = 0.1.
  init(model: Model, maximumTorque: Double) {
    let levels = [-maximumTorque, 0, maximumTorque]
    let (segments, segmentSteps) = (4, 5)
    var plans: [[Double]] = [[]]
    for _ in 0...segments { plans = plans.flatMap { plan in levels.map { plan + [$0] } } }
    self.model = model
    firstTorques = plans.map { $0[0] }
    inputs = plans.flatMap { plan in
      [plan[0]] + plan.dropFirst().flatMap { Array(repeating: $0, count: segmentSteps) }
    }
    steps = 1 + segments * segmentSteps
  }

  func torque(angle q: Double, velocity v: Double) -> Double {
    let count = firstTorques.count
    let initial = (0..<count).flatMap { _ in [q, v] }
    let rows = model.rollout(from: initial, inputs: inputs, steps: steps, workspace: workspace)
    var (bestCost, bestTorque) = (Double.infinity, 0.0)
    for plan in 0..<count {
      var cost = 0.0
      for k in 1...steps {
        let row = 2 * (plan * (steps + 1) + k)
        let angle = angleFromUpright(rows[row])
        cost += angle * angle + 0.1 * rows[row + 1] * rows[row + 1]
      }
      if cost < bestCost { (bestCost, bestTorque) = (cost, firstTorques[plan]) }
    }
    return bestTorque
  }
}
