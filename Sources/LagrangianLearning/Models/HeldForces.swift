/// The learned forces `F(q, q̇, u) = B(q) u − D(q) q̇` (``LearnableForce``) of a batched forced
/// rollout, with the inputs its windows hold over their steps (zero-order hold): window b's
/// `u_k` at `(b K + k) m` (K steps; no inputs at all: u = 0).
///
/// B and D live in slots of a ``RolloutWorkspace`` buffer: a rollout evaluates them at the
/// configurations its steps use (``evaluate(_:at:batch:slot:derivatives:)``, one batched call of
/// the forces per step), slot s holding point s's B (n×m), D (n×n) and, for an implicit step,
/// `∂B/∂qᵏ` and `∂D/∂qᵏ` (k over the point's p numbers, ``LearnableForce/pointDimension``). Forces that do not depend on q are evaluated once, into slot 0,
/// and every slot is that one: their rollouts do the arithmetic of constant B and D and skip
/// the evaluations and the q-derivatives.
///
/// ``writeForce(slot:window:step:velocity:into:)`` is the arithmetic of DiscreteMechanics'
/// `GeneralisedForce.writeForce`, so that a learned step with these forces is the forced
/// integrator's step on the learned system to round-off.
///
/// Not generic, so that its per-window methods are compiled for it once (the rollouts that call
/// them are generic, and run unspecialised from the command line); the batched calls of the
/// forces take them as an argument.
struct HeldForces {
  /// n, m and the numbers p of a point.
  let dimension: Int
  let inputCount: Int
  let pointDimension: Int
  /// The number K of steps of each window.
  let steps: Int
  /// The inputs, window-major: window b's `u_0, …, u_{K−1}` (empty: all zero).
  let inputs: [Double]
  /// Whether B or D depends on q (else every slot is slot 0).
  let dependsOnConfiguration: Bool
  /// B, D, `∂B/∂qᵏ`, `∂D/∂qᵏ` of slot s at `s n m`, `s n²`, `s p n m`, `s p n²`.
  let inputMatrices, dissipations, inputMatrixDerivatives,
    dissipationDerivatives: UnsafeMutablePointer<Double>
  /// The cotangents B̄ and D̄ of slot s, and its point's cotangent (p numbers).
  let inputMatrixBars, dissipationBars, pointBars: UnsafeMutablePointer<Double>
  let workspace: RolloutWorkspace

  /// Forces for a rollout of `steps` steps that evaluates them at up to `slots` points at a
  /// time (with their q-derivatives when `derivatives`).
  init(
    _ forces: some LearnableForce, dimension n: Int, steps: Int, inputs: [Double], slots: Int,
    derivatives: Bool, workspace: RolloutWorkspace
  ) {
    dimension = n
    inputCount = forces.inputCount
    pointDimension = forces.pointDimension
    let p = pointDimension
    self.steps = steps
    self.inputs = inputs
    self.workspace = workspace
    dependsOnConfiguration = forces.dependsOnConfiguration
    let m = inputCount
    let count = dependsOnConfiguration ? max(1, slots) : 1
    let derivativeCount = dependsOnConfiguration && derivatives ? count : 0
    let base = workspace.buffer(
      .forceValues,
      count: count * (2 * n * m + 2 * n * n + p) + derivativeCount * (p * n * m + p * n * n) + 1)
    inputMatrices = base
    dissipations = inputMatrices + count * n * m
    inputMatrixBars = dissipations + count * n * n
    dissipationBars = inputMatrixBars + count * n * m
    pointBars = dissipationBars + count * n * n
    inputMatrixDerivatives = pointBars + count * p
    dissipationDerivatives = inputMatrixDerivatives + derivativeCount * p * n * m
    guard !dependsOnConfiguration else { return }
    // Constant forces, once: B and D at q = 0 (any q).
    let origin = workspace.buffer(.forceOrigin, count: p)
    origin.update(repeating: 0, count: p)
    forces.evaluate(
      at: origin, batch: 1, inputMatrices: inputMatrices, dissipations: dissipations,
      derivatives: nil, workspace: workspace)
  }

  /// Slot s's B and D (slot 0's for constant forces).
  func inputMatrix(slot s: Int) -> UnsafeMutablePointer<Double> {
    inputMatrices + (dependsOnConfiguration ? s * dimension * inputCount : 0)
  }
  func dissipation(slot s: Int) -> UnsafeMutablePointer<Double> {
    dissipations + (dependsOnConfiguration ? s * dimension * dimension : 0)
  }

  /// B and D of `forces` (with `derivatives` also their q-derivatives) at the `batch` points at
  /// `points`, into the slots from `slot` on; nothing for constant forces.
  func evaluate(
    _ forces: some LearnableForce, at points: UnsafePointer<Double>, batch: Int, slot: Int,
    derivatives: Bool
  ) {
    guard dependsOnConfiguration, batch > 0 else { return }
    let (n, m, p) = (dimension, inputCount, pointDimension)
    forces.evaluate(
      at: points, batch: batch, inputMatrices: inputMatrices + slot * n * m,
      dissipations: dissipations + slot * n * n,
      derivatives: derivatives
        ? (inputMatrixDerivatives + slot * p * n * m, dissipationDerivatives + slot * p * n * n)
        : nil,
      workspace: workspace)
  }

  /// Where window b's `u_k` starts in ``inputs``, or nil when the inputs are zero.
  private func inputOffset(window b: Int, step k: Int) -> Int? {
    inputCount > 0 && !inputs.isEmpty ? (b * steps + k) * inputCount : nil
  }

  /// Adds `s B u_k` (slot's B, window b's input at step k) to `y` (n numbers).
  func addInputForce(
    slot: Int, window b: Int, step k: Int, scale s: Double, to y: UnsafeMutablePointer<Double>
  ) {
    let (n, m) = (dimension, inputCount)
    guard let u = inputOffset(window: b, step: k) else { return }
    let inputMatrix = self.inputMatrix(slot: slot)
    for i in 0..<n {
      var sum = 0.0
      for j in 0..<m { sum += inputMatrix[i * m + j] * inputs[u + j] }
      y[i] += s * sum
    }
  }

  /// Writes `F = B u_k − D v` of window b at step k, with the slot's B and D (n numbers), into
  /// `force`.
  func writeForce(
    slot: Int, window b: Int, step k: Int, velocity v: UnsafePointer<Double>,
    into force: UnsafeMutablePointer<Double>
  ) {
    let (n, m) = (dimension, inputCount)
    let u = inputOffset(window: b, step: k)
    let (inputMatrix, dissipation) = (self.inputMatrix(slot: slot), self.dissipation(slot: slot))
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

  /// Adds `s ∂F/∂q = s ∂(B(q)u_k − D(q)v)/∂q` (n×n, row-major) of the slot to `matrix`: nothing
  /// for constant forces.
  func addForceJacobian(
    slot: Int, window b: Int, step k: Int, velocity v: UnsafePointer<Double>, scale s: Double,
    to matrix: UnsafeMutablePointer<Double>
  ) {
    guard dependsOnConfiguration else { return }
    let (n, m) = (dimension, inputCount)
    let u = inputOffset(window: b, step: k)
    for l in 0..<n {
      let db = inputMatrixDerivatives + (slot * n + l) * n * m
      let dd = dissipationDerivatives + (slot * n + l) * n * n
      for i in 0..<n {
        var sum = 0.0
        if let u {
          for j in 0..<m { sum += db[i * m + j] * inputs[u + j] }
        }
        for j in 0..<n { sum -= dd[i * n + j] * v[j] }
        matrix[i * n + l] += s * sum
      }
    }
  }

  /// Adds `s D` of the slot to `matrix` (n×n).
  func addDissipation(slot: Int, scale s: Double, to matrix: UnsafeMutablePointer<Double>) {
    let dissipation = self.dissipation(slot: slot)
    for i in 0..<(dimension * dimension) { matrix[i] += s * dissipation[i] }
  }

  /// Adds `s Dᵀc` (n numbers, the slot's D) to `y`.
  func addDissipationTransposed(
    slot: Int, _ c: UnsafePointer<Double>, scale s: Double, to y: UnsafeMutablePointer<Double>
  ) {
    let n = dimension
    let dissipation = self.dissipation(slot: slot)
    for j in 0..<n {
      var sum = 0.0
      for i in 0..<n { sum += dissipation[i * n + j] * c[i] }
      y[j] += s * sum
    }
  }

  /// Adds the pullback of `s cᵀF` (F of window b at step k, at the velocity v) in B and D:
  /// `B̄ += s c u_kᵀ`, `D̄ −= s c vᵀ` (row-major), to the slot's cotangents (`slot` nil: to
  /// the arrays, for constant forces).
  func accumulatePullback(
    slot: Int?, window b: Int, step k: Int, cotangent c: UnsafePointer<Double>,
    velocity v: UnsafePointer<Double>, scale s: Double, inputMatrixBar: inout [Double],
    dissipationBar: inout [Double]
  ) {
    let (n, m) = (dimension, inputCount)
    let u = inputOffset(window: b, step: k)
    guard let slot else {
      for i in 0..<n {
        let weight = s * c[i]
        if let u {
          for j in 0..<m { inputMatrixBar[i * m + j] += weight * inputs[u + j] }
        }
        for j in 0..<n { dissipationBar[i * n + j] -= weight * v[j] }
      }
      return
    }
    let (bBar, dBar) = (inputMatrixBars + slot * n * m, dissipationBars + slot * n * n)
    for i in 0..<n {
      let weight = s * c[i]
      if let u {
        for j in 0..<m { bBar[i * m + j] += weight * inputs[u + j] }
      }
      for j in 0..<n { dBar[i * n + j] -= weight * v[j] }
    }
  }

  /// Zeroes the cotangents of `batch` slots from `slot` on (constant forces have none: they
  /// sum theirs in arrays).
  func clearCotangents(slot: Int, batch: Int) {
    guard dependsOnConfiguration else { return }
    let (n, m) = (dimension, inputCount)
    (inputMatrixBars + slot * n * m).update(repeating: 0, count: batch * n * m)
    (dissipationBars + slot * n * n).update(repeating: 0, count: batch * n * n)
  }

  /// The pullback of the slots' cotangents at their `batch` points (from `slot` on): the
  /// forces' parameter cotangent added to `tangent`, the points' cotangents in ``pointBars``
  /// from `slot` on.
  func pullback<Forces: LearnableForce>(
    _ forces: Forces, at points: UnsafePointer<Double>, batch: Int, slot: Int,
    into tangent: inout Forces.TangentVector
  ) {
    let (n, m) = (dimension, inputCount)
    forces.accumulatePullback(
      at: points, batch: batch, inputMatrixCotangents: inputMatrixBars + slot * n * m,
      dissipationCotangents: dissipationBars + slot * n * n, into: &tangent,
      pointCotangents: pointBars + slot * pointDimension, workspace: workspace)
  }

  /// The parameter cotangent of constant forces for the cotangents B̄, D̄ of their B and D.
  func constantPullback<Forces: LearnableForce>(
    _ forces: Forces, inputMatrixBar: [Double], dissipationBar: [Double]
  ) -> Forces.TangentVector {
    forces.pullback(
      at: Array(repeating: 0, count: pointDimension), inputMatrixBar: inputMatrixBar,
      dissipationBar: dissipationBar)
  }
}
