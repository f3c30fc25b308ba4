/// One closed-loop run of the true pendulum: at every sample t_k = k h the controller measures
/// `(q_k, q̇_k)` and its torque is held until t_{k+1}.
struct SwingUpRun {
  var times: [Double]
  var angles: [Double]
  var velocities: [Double]

  /// The run of `duration` from rest at the angle `q0` under `controller`.
  /// - Throws: `IntegrationError` if a step of the true pendulum fails.
  init(
    of pendulum: inout TruePendulum, under controller: some FeedbackLaw, from q0: Double,
    duration: Double, stepSize: Double
  ) throws {
    let steps = Int((duration / stepSize).rounded())
    (times, angles, velocities) = ([0], [q0], [0])
    for k in 0..<steps {
      let u = controller.torque(angle: angles[k], velocity: velocities[k])
      let next = try pendulum.step(angle: angles[k], velocity: velocities[k], torque: u)
      times.append(Double(k + 1) * stepSize)
      angles.append(next.q)
      velocities.append(next.v)
    }
  }

  /// The time from which every sample `(q_k, q̇_k)` satisfies `condition` to the end of the run;
  /// `nil` if the last does not.
  func settlingTime(_ condition: (Double, Double) -> Bool) -> Double? {
    guard let last = angles.indices.last(where: { !condition(angles[$0], velocities[$0]) }) else {
      return times.first
    }
    return last + 1 < times.count ? times[last + 1] : nil
  }
}
