import DiscreteMechanics
import Manifolds

/// The batched forward pass and adjoint of ``VINMq``: B windows stepped together by the implicit
/// variational midpoint rule of the learned Lagrangian `L = ½ q̇ᵀM_θ(q)q̇ − V_θ(q)`. From
/// `(q₀, q₁)`: `p₁ = P₊(q₀, q₁)`, then for k ≥ 1
///
///     solve P₋(q_k, q_{k+1}) = p_k for q_{k+1},    p_{k+1} = P₊(q_k, q_{k+1}),
///
/// with the transforms `P_s` and their derivatives `∂P_s/∂q₁` of DiscreteMechanics'
/// `MidpointLegendreTransform`, evaluated window by window from L's derivatives
/// (`LagrangianDerivatives`), which one batched pass of the mass network
/// (``ConfigurationMassNetwork``: M, `(∂M/∂qᵏ)v`, `vᵀ(∂²M/∂qⁱ∂qʲ)v`) and of the potential
/// (``LearnablePotential/gradientsAndHessians(at:batch:gradient:hessian:workspace:)``) give for
/// the windows still iterating.
///
/// **Newton's method per window**, as `VariationalMidpoint` solves the same equation (its
/// `RootFinder` settings and stopping rule, `RootFinder.hasConverged`): start from the
/// polynomial extrapolation of the last positions (up to cubic), iterate `q ← q − J⁻¹R` with
/// the exact Newton matrix `J = ∂P₋/∂q₁`, and stop when `max|R| ≤ 10⁻¹²` and the correction,
/// or Newton's estimate of the remaining error, is at round-off
/// (`|Δqᵢ| ≤ 10⁻¹⁵(1 + |qᵢ|)`), or the corrections stopped shrinking. A window converges when
/// it does, and leaves the batch. A window whose residual becomes
/// non-finite, whose Newton matrix is singular or which has not converged after 50 iterations
/// stops there: its output is NaN from that step on, so the rollout's loss is NaN (the trainer
/// stops and reports it), and its adjoint gives its start a NaN cotangent and the parameters
/// nothing. (`VariationalMidpoint`, which forecasts, falls back to `hybridsj` in these cases.)
///
/// **The adjoint** (implicit function theorem). With `J₋ = ∂P₋/∂q₁` and `J₊ = ∂P₊/∂q₁` at the
/// root of step k (kept by the forward pass), and the cotangent `p̄` of `p_{k+1}`:
///
///     q̄_{k+1} += J₊ᵀ p̄,   λ = J₋⁻ᵀ q̄_{k+1},   then (p̄ P₊ − λ P₋)'s pullback in q_k and θ,
///
/// and `p̄ ← λ` for step k − 1; step 0 (`p₁ = P₊(q₀, q₁)`) adds its pullback in q₀ and q₁. For a
/// combination `cᵀP₊ + c′ᵀP₋` the pullback is that of `aᵀM v + ½ Σᵢ dᵢ vᵀ(∂M/∂qⁱ)v − dᵀ∇V` at
/// the midpoint, `a = c + c′`, `d = (h/2)(c − c′)`: the mass network's
/// (``ConfigurationMassNetwork/accumulatePullback(at:velocities:massCotangents:derivativeCotangents:batch:into:pointCotangents:velocityCotangents:scratch:)``)
/// and the potential's gradient pullback give `q̄̄` (midpoint) and `v̄`, and
/// `q̄_k += ½ q̄̄ − v̄/h` (`q̄_{k+1} += ½ q̄̄ + v̄/h` at step 0), one batched pass each per step.
///
/// **Forces** (a forced ``VINMq``): the discrete forces of the midpoint rule,
/// `f_d⁻ = f_d⁺ = f_k = (h/2) F(q̄_k, v_k, u_k)` with `F = B(q)u − D(q)q̇` (``HeldForces``) at
/// the step's midpoint `q̄_k` and discrete velocity `v_k = (q_{k+1} − q_k)/h`, u held over the
/// step (Marsden and West 2001, §3), enter the transforms as in DiscreteMechanics' forced
/// `VariationalMidpoint`: `p₁ = P₊(q₀, q₁) + f₀`, then `P₋ − f_k = p_k` and
/// `p_{k+1} = P₊ + f_k`, so that `J₋` gains `+½D − (h/4)∂F/∂q` and `J₊` `−½D + (h/4)∂F/∂q`
/// (`∂F/∂q = 0` for constant forces). The adjoint above then holds with these J and these
/// transforms; the force terms add the pullback of `cᵀf_k`, `c = p̄ + λ` (`c = p̄` at step 0):
/// `q̄_k += ½Dᵀc + ½ q̄̄` (and `q̄₁ −= ½Dᵀc − ½ q̄̄` at step 0) with
/// `q̄̄ = (h/2)(∂F/∂q)ᵀc`, and the forces' pullback of `B̄ = (h/2) c u_kᵀ`, `D̄ = −(h/2) c v_kᵀ`
/// at `q̄_k` (for constant forces B̄ and D̄ summed over the steps and windows, then pulled back
/// once). Without forces (``forces`` nil) none of this runs: the step is the conservative one,
/// bit for bit.
///
/// Positions, momenta and the Newton matrices at the roots live in a ``RolloutWorkspace``,
/// step-major (window b of step k at `(k B + b) n`); nothing is allocated per step.
struct MidpointRollout<Potential: LearnablePotential, Forces: LearnableForce> {
  let potential: Potential
  let mass: ConfigurationMassNetwork
  let stepSize: Double
  /// The forces and held inputs of a forced model (nil: none), and the learned forces.
  let forces: HeldForces?
  let learnedForces: Forces
  /// Whether each window starts from `(q₀, q̇₀)` with `p₀ = M(q₀)q̇₀`, every step implicit,
  /// and its output rows are `(q_k, q̇_k)` with `q̇_k = M(q_k)⁻¹p_k`; otherwise from `(q₀, q₁)`
  /// with rows `q_k`.
  let observesVelocities: Bool
  /// The number B of windows.
  let batch: Int
  /// The number of steps K.
  let steps: Int
  let workspace: RolloutWorkspace
  /// `q_k` and `p_k`, k = 0…K (`p₀` unused).
  let positions: UnsafeMutablePointer<Double>
  let momenta: UnsafeMutablePointer<Double>
  /// `J₋` then `J₊` at the root of step k → k + 1 (k = 1…K−1; from k = 0 when observing
  /// velocities): window b's 2n² numbers at `2 (k B + b) n²`.
  let jacobians: UnsafeMutablePointer<Double>
  /// When observing velocities, `q̇_k` and `M(q_k)` (n² numbers per window), k = 0…K.
  let stateVelocities, stateMasses: UnsafeMutablePointer<Double>
  /// For each window, the first step whose position was not produced (K + 1 when every one was).
  private(set) var failures: [Int]
  /// One window's transforms, reused from window to window.
  private var window: WindowTransforms

  /// The settings and stopping rule of `VariationalMidpoint`'s root finder.
  private let rootFinder = RootFinder()

  init(
    potential: Potential, mass: ConfigurationMassNetwork, stepSize: Double, batch: Int,
    steps: Int, workspace: RolloutWorkspace, learnedForces: Forces, forces: HeldForces?,
    observesVelocities: Bool
  ) {
    self.observesVelocities = observesVelocities
    self.potential = potential
    self.learnedForces = learnedForces
    self.mass = mass
    self.stepSize = stepSize
    self.forces = forces
    self.batch = batch
    self.steps = steps
    self.workspace = workspace
    let n = potential.dimension
    let count = (steps + 1) * batch * n
    positions = workspace.buffer(.positions, count: count)
    momenta = workspace.buffer(.momenta, count: count)
    jacobians = workspace.buffer(.jacobians, count: 2 * count * n)
    let states = workspace.buffer(.stateVelocities, count: observesVelocities ? count * (n + 1) : 0)
    (stateVelocities, stateMasses) = (states, states + count)
    failures = Array(repeating: steps + 1, count: batch)
    window = WindowTransforms(dimension: n, stepSize: stepSize)
  }

  /// The configuration dimension n.
  var dimension: Int { potential.dimension }

  /// Where step k's B vectors start in ``positions`` and ``momenta``.
  func offset(_ k: Int) -> Int { k * batch * dimension }

  /// Writes `(q₀, q₁)` (or `(q₀, q̇₀)`) of every window (B blocks of 2n in `initial`) and runs
  /// the K steps.
  mutating func run(from initial: [Double]) {
    let n = dimension
    if observesVelocities {
      run(fromVelocities: initial)
      return
    }
    for b in 0..<batch {
      for i in 0..<n {
        positions[b * n + i] = initial[2 * b * n + i]
        if steps >= 1 { positions[offset(1) + b * n + i] = initial[2 * b * n + n + i] }
      }
    }
    guard steps >= 2 else { return }
    let values = NewtonValues(
      batch: batch, dimension: n, massScratch: mass.scratchCount, workspace: workspace)
    var active = Array(0..<batch)
    // p₁ = P₊(q₀, q₁) + f₀.
    evaluate(step: 0, active, values, secondDerivatives: false)
    for (j, b) in active.enumerated() {
      window.load(j, values)
      let p = momenta + offset(1) + b * n
      window.legendreTransform(sign: 1, into: p)
      guard let forces else { continue }
      let force = values.forces + j * n
      forces.writeForce(
        slot: j, window: b, step: 0, velocity: values.velocities + j * n, into: force)
      for i in 0..<n { p[i] += 0.5 * stepSize * force[i] }
    }
    for k in 1..<steps { solve(step: k, &active, values) }
  }

  /// From `(q₀, q̇₀)`: `p₀ = M(q₀)q̇₀`, the K implicit steps, then `q̇_k = M(q_k)⁻¹p_k`.
  private mutating func run(fromVelocities initial: [Double]) {
    let n = dimension
    for b in 0..<batch {
      for i in 0..<n {
        positions[b * n + i] = initial[2 * b * n + i]
        stateVelocities[b * n + i] = initial[2 * b * n + n + i]
      }
    }
    let values = NewtonValues(
      batch: batch, dimension: n, massScratch: mass.scratchCount, workspace: workspace)
    evaluateMasses(step: 0, values)
    for b in 0..<batch {
      let (m, v, p) = (stateMasses + b * n * n, stateVelocities + b * n, momenta + b * n)
      for i in 0..<n {
        var sum = 0.0
        for j in 0..<n { sum += m[i * n + j] * v[j] }
        p[i] = sum
      }
    }
    var active: [Int] = []
    for k in 0..<steps { solve(step: k, &active, values) }
    for k in stride(from: 1, through: steps, by: 1) {
      evaluateMasses(step: k, values)
      for b in 0..<batch where failures[b] > k {
        let o = offset(k) + b * n
        if !window.solve(stateMasses + o * n, momenta + o, into: stateVelocities + o) {
          failures[b] = k
        }
      }
    }
  }

  /// `M(q_k)` of every window to ``stateMasses``.
  private func evaluateMasses(step k: Int, _ values: NewtonValues) {
    let o = offset(k)
    mass.evaluate(
      at: positions + o, velocities: momenta + o, batch: batch, mass: stateMasses + o * dimension,
      derivativeProducts: values.products, velocityCurvature: nil, scratch: values.scratch)
  }

  /// Step k → k + 1 of every window that has not failed: Newton's method on
  /// `P₋(q_k, q_{k+1}) = p_k`, then `p_{k+1}`, `J₋` and `J₊` at the root.
  private mutating func solve(step k: Int, _ active: inout [Int], _ values: NewtonValues) {
    let n = dimension
    let qNext = positions + offset(k + 1)
    let coefficients = k == 0 ? [] : newtonGuess[min(k, 3) - 1]
    active.removeAll(keepingCapacity: true)
    for b in 0..<batch where failures[b] > k {
      for i in 0..<n {
        var guess = 0.0
        for (j, c) in coefficients.enumerated() {
          guess += c * positions[offset(k - j) + b * n + i]
        }
        // The first step of a window that starts from (q₀, q̇₀): q₁ ≈ q₀ + h q̇₀.
        if k == 0 { guess = positions[b * n + i] + stepSize * stateVelocities[b * n + i] }
        qNext[b * n + i] = guess
      }
      values.sizes[b] = .infinity
      active.append(b)
    }
    var iteration = 0
    while !active.isEmpty {
      evaluate(step: k, active, values, secondDerivatives: true)
      var kept = 0
      for j in 0..<active.count {
        let b = active[j]
        let (residual, correction) = (values.residuals + j * n, values.corrections + b * n)
        var residualNorm = 0.0
        var finite = true
        for i in 0..<n {
          residualNorm = max(residualNorm, abs(residual[i]))
          finite = finite && residual[i].isFinite
        }
        let newtonMatrix = values.newtonMatrices + j * n * n
        for i in 0..<(n * n) { finite = finite && newtonMatrix[i].isFinite }
        guard finite else {
          failures[b] = k + 1
          continue
        }
        // At the first guess only an exact root stops the iteration (there is no correction).
        let converged =
          iteration == 0
          ? residualNorm == 0
          : rootFinder.hasConverged(
            residualNorm: residualNorm, correctionSize: values.sizes[b],
            previousCorrectionSize: values.previousSizes[b], estimatesRemainingError: true,
            dimension: n
          ) { i in (correction[i], qNext[b * n + i]) }
        if converged {
          finish(step: k, window: b, j, values)
          continue
        }
        guard iteration < rootFinder.maxIterations, newtonStep(step: k, window: b, j, values)
        else {
          failures[b] = k + 1
          continue
        }
        active[kept] = b
        kept += 1
      }
      active.removeLast(active.count - kept)
      iteration += 1
    }
  }

  /// `q_{k+1} ← q_{k+1} + Δq`, `Δq = −J⁻¹R`, for window b (batch position j) at step k, with
  /// its size and the previous one's; false when J is singular or Δq not finite.
  private mutating func newtonStep(step k: Int, window b: Int, _ j: Int, _ values: NewtonValues)
    -> Bool
  {
    let n = dimension
    let (correction, q) = (values.corrections + b * n, positions + offset(k + 1) + b * n)
    guard
      window.solve(
        values.newtonMatrices + j * n * n, values.residuals + j * n, scale: -1,
        into: correction)
    else { return false }
    var size = 0.0
    for i in 0..<n {
      q[i] += correction[i]
      size = max(size, abs(correction[i]))
    }
    values.previousSizes[b] = values.sizes[b]
    values.sizes[b] = size
    return true
  }

  /// At the root of step k for window b (batch position j): `p_{k+1} = P₊ + f_k`, and `J₋`,
  /// `J₊` kept for the adjoint (the forces' values in slot j from the evaluation at the root).
  private mutating func finish(step k: Int, window b: Int, _ j: Int, _ values: NewtonValues) {
    let n = dimension
    window.load(j, values)
    let p = momenta + offset(k + 1) + b * n
    window.legendreTransform(sign: 1, into: p)
    if forces != nil {
      // F at the root, from the evaluation that found it converged.
      let force = values.forces + j * n
      for i in 0..<n { p[i] += 0.5 * stepSize * force[i] }
    }
    for i in 0..<n where !p[i].isFinite {
      failures[b] = k + 1
      return
    }
    let kept = jacobians + 2 * (offset(k) + b * n) * n
    kept.update(from: values.newtonMatrices + j * n * n, count: n * n)
    window.transformDerivative(sign: 1, into: kept + n * n)
    if let forces {
      forces.addDissipation(slot: j, scale: -0.5, to: kept + n * n)
      forces.addForceJacobian(
        slot: j, window: b, step: k, velocity: values.velocities + j * n,
        scale: 0.25 * stepSize, to: kept + n * n)
    }
  }

  /// The midpoints and velocities of the windows `active` between steps k and k + 1, and at
  /// them M, `uₖ`, ∇V and the forces' B and D (slot j for batch position j), with
  /// `secondDerivatives` also S, ∇²V and the forces' q-derivatives, the residuals
  /// `P₋ − f_k − p_k` (k ≥ 1; F in `NewtonValues.forces`) and the Newton matrices `J₋`.
  private mutating func evaluate(
    step k: Int, _ active: [Int], _ values: NewtonValues, secondDerivatives: Bool
  ) {
    let n = dimension
    let (q, qNext) = (positions + offset(k), positions + offset(k + 1))
    for (j, b) in active.enumerated() {
      for i in 0..<n {
        values.midpoints[j * n + i] = 0.5 * (q[b * n + i] + qNext[b * n + i])
        values.velocities[j * n + i] = (qNext[b * n + i] - q[b * n + i]) / stepSize
      }
    }
    let count = active.count
    forces?.evaluate(
      learnedForces, at: values.midpoints, batch: count, slot: 0,
      derivatives: secondDerivatives)
    mass.evaluate(
      at: values.midpoints, velocities: values.velocities, batch: count, mass: values.mass,
      derivativeProducts: values.products,
      velocityCurvature: secondDerivatives ? values.curvature : nil, scratch: values.scratch)
    guard secondDerivatives else {
      potential.gradients(
        at: values.midpoints, batch: count, into: values.gradient, workspace: workspace)
      return
    }
    potential.gradientsAndHessians(
      at: values.midpoints, batch: count, gradient: values.gradient, hessian: values.hessian,
      workspace: workspace)
    let p = momenta + offset(k)
    for (j, b) in active.enumerated() {
      window.load(j, values)
      let residual = values.residuals + j * n
      let newtonMatrix = values.newtonMatrices + j * n * n
      window.legendreTransform(sign: -1, into: residual)
      if let forces {
        let force = values.forces + j * n
        forces.writeForce(
          slot: j, window: b, step: k, velocity: values.velocities + j * n, into: force)
        for i in 0..<n { residual[i] -= 0.5 * stepSize * force[i] }
      }
      for i in 0..<n { residual[i] -= p[b * n + i] }
      window.transformDerivative(sign: -1, into: newtonMatrix)
      if let forces {
        forces.addDissipation(slot: j, scale: 0.5, to: newtonMatrix)
        forces.addForceJacobian(
          slot: j, window: b, step: k, velocity: values.velocities + j * n,
          scale: -0.25 * stepSize, to: newtonMatrix)
      }
    }
  }

  /// The window-major output rows `q_k` (or `(q_k, q̇_k)`), k = 0…K, NaN from a failed window's
  /// failing step on.
  func output() -> [Double] {
    let n = dimension
    let row = observesVelocities ? 2 * n : n
    var output = [Double](repeating: .nan, count: batch * (steps + 1) * row)
    for b in 0..<batch {
      for k in 0...steps where k < failures[b] {
        let o = (b * (steps + 1) + k) * row
        for i in 0..<n {
          output[o + i] = positions[offset(k) + b * n + i]
          if observesVelocities { output[o + n + i] = stateVelocities[offset(k) + b * n + i] }
        }
      }
    }
    return output
  }
}

extension MidpointRollout {
  /// The adjoint of the rollout for the window-major output cotangent `bar`: the potential's
  /// cotangent, the mass parameters' (``ConfigurationMassMatrix/parameters`` order), the
  /// cotangent of the initial states `(q₀, q₁)` (NaN for a window that failed), and the
  /// forces' (zero without forces).
  func adjoint(_ bar: [Double]) -> (
    potential: Potential.TangentVector, mass: [Double], initial: [Double],
    forces: Forces.TangentVector
  ) {
    let n = dimension
    let count = batch * n
    let h = stepSize
    let stateCount = (steps + 1) * count
    let adjoints = workspace.buffer(
      .adjoints, count: stateCount + 11 * count + (observesVelocities ? 4 * stateCount : 0))
    let positionBars = adjoints
    let base = adjoints + (steps + 1) * count
    let (momentumBar, lambda, massCotangent, derivativeCotangent) = (
      base, base + count, base + 2 * count, base + 3 * count
    )
    let (gradientCotangent, midpointBar, velocityBar, hessianProduct) = (
      base + 4 * count, base + 5 * count, base + 6 * count, base + 7 * count
    )
    let (midpoints, velocities) = (base + 8 * count, base + 9 * count)
    /// `c`, the cotangent of the step's discrete force `f_k`.
    let forceCotangent = base + 10 * count
    // Constant forces' B̄ and D̄, summed over the steps and windows.
    let constant = forces.map { !$0.dependsOnConfiguration } ?? false
    var inputMatrixBar = [Double](repeating: 0, count: constant ? n * (forces?.inputCount ?? 0) : 0)
    var dissipationBar = [Double](repeating: 0, count: constant ? n * n : 0)
    var forcesTangent = Forces.TangentVector.zero
    // λ's solve, allocated once per adjoint.
    var lambdaMatrix = Matrix.zeros(rows: n, columns: n)
    var lambdaVector = [Double](repeating: 0, count: n)
    let pass = workspace.buffer(.massNetwork, count: mass.storage.count + mass.scratchCount)
    let (massGradient, scratch) = (pass, pass + mass.storage.count)
    massGradient.update(repeating: 0, count: mass.storage.count)
    var potentialBar = Potential.TangentVector.zero
    // With velocities, `q̇_k = M(q_k)⁻¹p_k` (k ≥ 1) pulls back to p̄_k += a_k, `a_k = M(q_k)⁻¹ q̇̄_k`,
    // and the pullback of −a_kᵀM(q_k)q̇_k at fixed q̇_k: `massCotangents` holds −a_k (0 at k = 0
    // and for failed windows), `stateBars` and `stateVelocityBars` that pullback's q̄ and
    // (unused) q̇̄, `zeros` the zero derivative cotangents.
    let row = observesVelocities ? 2 * n : n
    let extra = base + 11 * count
    let (massCotangents, zeros, stateBars, stateVelocityBars) = (
      extra, extra + stateCount, extra + 2 * stateCount, extra + 3 * stateCount
    )
    // A failed window's states are not a trajectory: it contributes nothing (zero cotangents
    // at finite stand-in states) and its start gets NaN.
    for b in 0..<batch {
      let failed = failures[b] <= steps
      for k in 0...steps {
        let o = offset(k) + b * n
        for i in 0..<n {
          positionBars[o + i] = failed ? 0 : bar[(b * (steps + 1) + k) * row + i]
          if failed { positions[o + i] = 0 }
        }
        if observesVelocities {
          for i in 0..<n {
            zeros[o + i] = 0
            massCotangents[o + i] = 0
            if failed { stateVelocities[o + i] = 0 }
          }
          if !failed, k >= 1 {
            do {
              var velocityBar = lambdaVector.mutableSpan
              for i in 0..<n { velocityBar[i] = bar[(b * (steps + 1) + k) * row + n + i] }
              var entries = lambdaMatrix.storage.mutableSpan
              for i in 0..<(n * n) { entries[i] = stateMasses[o * n + i] }
            }
            let solved = lambdaMatrix.solveInPlace(&lambdaVector)
            for i in 0..<n { massCotangents[o + i] = solved ? -lambdaVector[i] : .nan }
          }
        }
        guard failed, k >= (observesVelocities ? 0 : 1), k < steps else { continue }
        let kept = jacobians + 2 * (offset(k) + b * n) * n
        kept.update(repeating: 0, count: 2 * n * n)
        for i in 0..<n { kept[i * n + i] = 1 }
      }
    }
    if observesVelocities, steps >= 1 {
      let o = offset(1)
      mass.accumulatePullback(
        at: positions + o, velocities: stateVelocities + o, massCotangents: massCotangents + o,
        derivativeCotangents: zeros + o, batch: steps * batch, into: massGradient,
        pointCotangents: stateBars + o, velocityCotangents: stateVelocityBars + o,
        scratch: scratch)
      for i in o..<stateCount { positionBars[i] += stateBars[i] }
    }
    /// The pullback of `aᵀMv + ½ Σᵢ dᵢ vᵀ(∂M/∂qⁱ)v − dᵀ∇V` (and of `cᵀf_k`) at the midpoints
    /// of steps k and k + 1, added to `q̄_k` (and, with `end`, to `q̄_{k+1}`), θ̄, B̄ and D̄.
    func pullbackTransforms(step k: Int, end: Bool) {
      let (q, qNext) = (positions + offset(k), positions + offset(k + 1))
      for i in 0..<count {
        midpoints[i] = 0.5 * (q[i] + qNext[i])
        velocities[i] = (qNext[i] - q[i]) / h
        gradientCotangent[i] = -derivativeCotangent[i]
      }
      mass.accumulatePullback(
        at: midpoints, velocities: velocities, massCotangents: massCotangent,
        derivativeCotangents: derivativeCotangent, batch: batch, into: massGradient,
        pointCotangents: midpointBar, velocityCotangents: velocityBar, scratch: scratch)
      potential.accumulateGradientPullback(
        at: midpoints, batch: batch, cotangent: gradientCotangent, into: hessianProduct,
        tangent: &potentialBar, workspace: workspace)
      let (qBar, qBarNext) = (positionBars + offset(k), positionBars + offset(k + 1))
      for i in 0..<count {
        let pointBar = midpointBar[i] + hessianProduct[i]
        qBar[i] += 0.5 * pointBar - velocityBar[i] / h
        if end { qBarNext[i] += 0.5 * pointBar + velocityBar[i] / h }
      }
      guard let forces else { return }
      // D at the midpoints (B̄ and D̄ per window) for forces that depend on q.
      forces.evaluate(learnedForces, at: midpoints, batch: batch, slot: 0, derivatives: false)
      forces.clearCotangents(slot: 0, batch: batch)
      for b in 0..<batch {
        let (c, v) = (forceCotangent + b * n, velocities + b * n)
        forces.addDissipationTransposed(slot: b, c, scale: 0.5, to: qBar + b * n)
        if end { forces.addDissipationTransposed(slot: b, c, scale: -0.5, to: qBarNext + b * n) }
        forces.accumulatePullback(
          slot: constant ? nil : b, window: b, step: k, cotangent: c, velocity: v,
          scale: 0.5 * h, inputMatrixBar: &inputMatrixBar, dissipationBar: &dissipationBar)
      }
      guard !constant else { return }
      // q̄̄ = (h/2)(∂F/∂q)ᵀc at the midpoints: half to q_k (and to q_{k+1} at the end).
      forces.pullback(
        learnedForces, at: midpoints, batch: batch, slot: 0, into: &forcesTangent)
      for i in 0..<count {
        qBar[i] += 0.5 * forces.pointBars[i]
        if end { qBarNext[i] += 0.5 * forces.pointBars[i] }
      }
    }
    // The implicit steps: k ≥ 1 from (q₀, q₁), k ≥ 0 from (q₀, q̇₀).
    let firstImplicitStep = observesVelocities ? 0 : 1
    if steps > firstImplicitStep {
      // p̄_K (a_K with velocities).
      for i in 0..<count {
        momentumBar[i] = observesVelocities ? -massCotangents[offset(steps) + i] : 0
      }
      for k in stride(from: steps - 1, through: firstImplicitStep, by: -1) {
        let qBarNext = positionBars + offset(k + 1)
        for b in 0..<batch {
          let (minus, plus) = (
            jacobians + 2 * (offset(k) + b * n) * n, jacobians + (2 * (offset(k) + b * n) + n) * n
          )
          let (pBar, qBar, l) = (momentumBar + b * n, qBarNext + b * n, lambda + b * n)
          // q̄_{k+1} += J₊ᵀ p̄, then λ = J₋⁻ᵀ q̄_{k+1}.
          do {
            var right = lambdaVector.mutableSpan
            for j in 0..<n {
              var sum = 0.0
              for i in 0..<n { sum += plus[i * n + j] * pBar[i] }
              qBar[j] += sum
              right[j] = qBar[j]
            }
            var entries = lambdaMatrix.storage.mutableSpan
            for i in 0..<n {
              for j in 0..<n { entries[i * n + j] = minus[j * n + i] }
            }
          }
          let solved = lambdaMatrix.solveInPlace(&lambdaVector)
          for i in 0..<n { l[i] = solved ? lambdaVector[i] : .nan }
          for i in 0..<n {
            massCotangent[b * n + i] = pBar[i] - l[i]
            derivativeCotangent[b * n + i] = 0.5 * h * (pBar[i] + l[i])
            forceCotangent[b * n + i] = pBar[i] + l[i]
          }
        }
        pullbackTransforms(step: k, end: false)
        // p̄_k = λ (+ a_k with velocities).
        for i in 0..<count {
          momentumBar[i] = lambda[i] - (observesVelocities ? massCotangents[offset(k) + i] : 0)
        }
      }
      if !observesVelocities {
        // p₁ = P₊(q₀, q₁) + f₀.
        for i in 0..<count {
          massCotangent[i] = momentumBar[i]
          derivativeCotangent[i] = 0.5 * h * momentumBar[i]
          forceCotangent[i] = momentumBar[i]
        }
        pullbackTransforms(step: 0, end: true)
      }
    }
    if observesVelocities {
      // p₀ = M(q₀)q̇₀: q̄₀ and q̇̄₀ (to `velocityBar`) from p̄₀.
      if steps == 0 { momentumBar.update(repeating: 0, count: count) }
      mass.accumulatePullback(
        at: positions, velocities: stateVelocities, massCotangents: momentumBar,
        derivativeCotangents: zeros, batch: batch, into: massGradient,
        pointCotangents: midpointBar, velocityCotangents: velocityBar, scratch: scratch)
      for i in 0..<count { positionBars[i] += midpointBar[i] }
    }
    var massBar = [Double](repeating: 0, count: mass.storage.count)
    mass.addGradient(massGradient, to: &massBar)
    var initialBar = [Double](repeating: 0, count: 2 * count)
    for b in 0..<batch {
      let failed = failures[b] <= steps
      for i in 0..<n {
        initialBar[2 * b * n + i] = failed ? .nan : positionBars[b * n + i]
        let second =
          observesVelocities
          ? bar[b * (steps + 1) * row + n + i] + velocityBar[b * n + i]
          : steps >= 1 ? positionBars[offset(1) + b * n + i] : 0
        initialBar[2 * b * n + n + i] = failed ? .nan : second
      }
    }
    if let forces, constant {
      forcesTangent = forces.constantPullback(
        learnedForces, inputMatrixBar: inputMatrixBar, dissipationBar: dissipationBar)
    }
    return (potentialBar, massBar, initialBar, forcesTangent)
  }
}

/// The Newton iteration's values for up to B windows, in the workspace: midpoints,
/// velocities, M, `uₖ`, S, ∇V, ∇²V, the forces F, residuals, Newton matrices (window j of the
/// batch at `j n` or `j n²`), and per window b its last correction (at `b n`) with its size and
/// the size of the one before, and the mass network's scratch.
private struct NewtonValues {
  let midpoints, velocities, mass, products, curvature, gradient,
    hessian:
      UnsafeMutablePointer<
        Double
      >
  let forces, residuals, newtonMatrices, corrections, sizes, previousSizes,
    scratch: UnsafeMutablePointer<Double>

  init(batch: Int, dimension n: Int, massScratch: Int, workspace: RolloutWorkspace) {
    let (vector, matrix) = (batch * n, batch * n * n)
    let base = workspace.buffer(
      .newton, count: 6 * vector + 5 * matrix + 2 * batch + massScratch)
    midpoints = base
    velocities = midpoints + vector
    gradient = velocities + vector
    residuals = gradient + vector
    corrections = residuals + vector
    forces = corrections + vector
    mass = forces + vector
    products = mass + matrix
    curvature = products + matrix
    hessian = curvature + matrix
    newtonMatrices = hessian + matrix
    sizes = newtonMatrices + matrix
    previousSizes = sizes + batch
    scratch = previousSizes + batch
  }
}

/// One window's L derivatives at its midpoint (copied from the batched passes' buffers), its
/// velocity, and what `MidpointLegendreTransform` and the Newton step make of them, in arrays
/// allocated once per rollout. A type of its own, not generic, so that these per-window calls
/// are compiled for it whatever the potential.
private struct WindowTransforms {
  var derivatives: LagrangianDerivatives
  var velocity: [Double]
  var transform: [Double]
  var transformDerivative: Matrix
  var solveMatrix: Matrix
  let stepSize: Double

  init(dimension n: Int, stepSize: Double) {
    derivatives = LagrangianDerivatives(dimension: n)
    velocity = Array(repeating: 0, count: n)
    transform = velocity
    transformDerivative = .zeros(rows: n, columns: n)
    solveMatrix = transformDerivative
    self.stepSize = stepSize
  }

  /// Puts batch position j's velocity and L derivatives (M, `uₖ`, ∇V, S, ∇²V) in place.
  mutating func load(_ j: Int, _ values: NewtonValues) {
    let n = velocity.count
    let block = n * n
    /// Copies `count` numbers of batch position j's block into `target` (through a span: one
    /// copy-on-write check).
    func copy(_ source: UnsafeMutablePointer<Double>, _ count: Int, into target: inout [Double]) {
      var entries = target.mutableSpan
      for i in 0..<count { entries[i] = source[j * count + i] }
    }
    copy(values.velocities, n, into: &velocity)
    copy(values.gradient, n, into: &derivatives.potentialGradient)
    copy(values.mass, block, into: &derivatives.mass.storage)
    copy(values.products, block, into: &derivatives.massDerivativeProducts.storage)
    copy(values.curvature, block, into: &derivatives.massSecondDerivativeForms.storage)
    copy(values.hessian, block, into: &derivatives.potentialHessian.storage)
  }

  /// `P_s` of the loaded window to `momentum` (n numbers).
  mutating func legendreTransform(sign: Double, into momentum: UnsafeMutablePointer<Double>) {
    MidpointLegendreTransform.momentum(
      sign: sign, stepSize: stepSize, velocity: velocity, derivatives: derivatives,
      into: &transform)
    for i in 0..<velocity.count { momentum[i] = transform[i] }
  }

  /// `∂P_s/∂q₁` of the loaded window to `jacobian` (n² numbers).
  mutating func transformDerivative(sign: Double, into jacobian: UnsafeMutablePointer<Double>) {
    MidpointLegendreTransform.jacobian(
      sign: sign, stepSize: stepSize, velocity: velocity, derivatives: derivatives,
      into: &transformDerivative)
    for i in 0..<(velocity.count * velocity.count) { jacobian[i] = transformDerivative.storage[i] }
  }

  /// `x = A⁻¹(s r)` (n numbers) to `solution` for the n×n matrix A (row-major), the vector r and
  /// the scale s (the Newton correction `Δq = −J⁻¹R` with s = −1, a velocity `M⁻¹p` with 1);
  /// false when A is singular.
  mutating func solve(
    _ matrix: UnsafePointer<Double>, _ vector: UnsafePointer<Double>, scale: Double = 1,
    into solution: UnsafeMutablePointer<Double>
  ) -> Bool {
    let n = velocity.count
    do {
      var entries = solveMatrix.storage.mutableSpan
      for i in 0..<(n * n) { entries[i] = matrix[i] }
      var right = transform.mutableSpan
      for i in 0..<n { right[i] = scale * vector[i] }
    }
    guard solveMatrix.solveInPlace(&transform) else { return false }
    for i in 0..<n { solution[i] = transform[i] }
    return true
  }
}

/// The starting guess of the Newton iteration at step k: the polynomial through the last
/// min(k, 3) + 1 positions, at step k + 1: `q_{k+1} ≈ Σⱼ cⱼ q_{k−j}` with the row min(k, 3) of
/// these coefficients (2q_k − q_{k−1}, then quadratic, then cubic). Measured in the first 200
/// iterations of training on the double-pendulum benchmark, the cubic guess takes 3.4–4.0
/// network evaluations per step (Newton iterations including the first evaluation), the
/// quadratic 3.8–4.1 and the linear 4.0–4.1.
private let newtonGuess: [[Double]] = [[2, -1], [3, -3, 1], [4, -6, 4, -1]]
