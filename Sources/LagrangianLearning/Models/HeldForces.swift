/// The constant forces `F(q̇, u) = B u − D q̇` (``LearnableForce``) of a batched forced rollout,
/// with the inputs its windows hold over their steps (zero-order hold): B (n×m) and D (n×n)
/// row-major, and window b's `u_k` at `(b K + k) m` (K steps; no inputs at all: u = 0).
///
/// ``writeForce(window:step:velocity:into:)`` is the arithmetic of DiscreteMechanics'
/// `ActuatorsAndDamping` (`GeneralisedForce.writeForce`), so that a learned step with these
/// forces is the forced integrator's step on the learned system to round-off.
struct HeldForces {
  let inputMatrix: [Double]
  let dissipation: [Double]
  /// n and m.
  let dimension: Int
  let inputCount: Int
  /// The number K of steps of each window.
  let steps: Int
  /// The inputs, window-major: window b's `u_0, …, u_{K−1}` (empty: all zero).
  let inputs: [Double]

  init<Forces: LearnableForce>(_ forces: Forces, dimension: Int, steps: Int, inputs: [Double]) {
    inputMatrix = forces.inputMatrix()
    dissipation = forces.dissipation()
    self.dimension = dimension
    inputCount = forces.inputCount
    self.steps = steps
    self.inputs = inputs
  }

  /// Where window b's `u_k` starts in ``inputs``, or nil when the inputs are zero.
  private func inputOffset(window b: Int, step k: Int) -> Int? {
    inputCount > 0 && !inputs.isEmpty ? (b * steps + k) * inputCount : nil
  }

  /// Writes `F = B u_k − D v` of window b at step k (n numbers) into `force`.
  func writeForce(
    window b: Int, step k: Int, velocity v: UnsafePointer<Double>,
    into force: UnsafeMutablePointer<Double>
  ) {
    let (n, m) = (dimension, inputCount)
    let u = inputOffset(window: b, step: k)
    for i in 0..<n {
      var sum = 0.0
      if let u {
        for j in 0..<m { sum += inputMatrix[i * m + j] * inputs[u + j] }
      }
      force[i] = sum
      var damping = 0.0
      for j in 0..<n { damping += dissipation[i * n + j] * v[j] }
      force[i] -= damping
    }
  }

  /// Adds the pullback of `s cᵀF` (F of window b at step k, at the velocity v) in B and D:
  /// `B̄ += s c u_kᵀ`, `D̄ −= s c vᵀ` (row-major).
  func accumulatePullback(
    window b: Int, step k: Int, cotangent c: UnsafePointer<Double>,
    velocity v: UnsafePointer<Double>, scale s: Double, inputMatrixBar: inout [Double],
    dissipationBar: inout [Double]
  ) {
    let (n, m) = (dimension, inputCount)
    let u = inputOffset(window: b, step: k)
    for i in 0..<n {
      let weight = s * c[i]
      if let u {
        for j in 0..<m { inputMatrixBar[i * m + j] += weight * inputs[u + j] }
      }
      for j in 0..<n { dissipationBar[i * n + j] -= weight * v[j] }
    }
  }

  /// Adds `s Dᵀc` (n numbers) to `y`.
  func addDissipationTransposed(
    _ c: UnsafePointer<Double>, scale s: Double, to y: UnsafeMutablePointer<Double>
  ) {
    let n = dimension
    for j in 0..<n {
      var sum = 0.0
      for i in 0..<n { sum += dissipation[i * n + j] * c[i] }
      y[j] += s * sum
    }
  }
}
