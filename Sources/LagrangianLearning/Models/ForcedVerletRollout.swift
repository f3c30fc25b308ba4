import DiscreteMechanics
import Manifolds

/// The batched rollout of a forced ``VINVelocityVerlet`` and its pullback: Störmer–Verlet with
/// the discrete forces `f_d^∓ = (h/2) F(q_{k or k+1}, v_k, u_k)` of the learned force
/// `F = B(q)u − D(q)q̇` (Marsden and West, *Discrete mechanics and variational integrators*,
/// Acta Numerica 2001, §3), evaluated at the step's discrete velocity `v_k = (q_{k+1} − q_k)/h`
/// with u held over the step:
///
///     A_k v_k = p_k − (h/2)∇V(q_k) + (h/2)B(q_k)u_k,   A_k = M + (h/2)D(q_k),   q_{k+1} = q_k + h v_k,
///     p_{k+1} = E_{k+1} v_k − (h/2)∇V(q_{k+1}) + (h/2)B(q_{k+1})u_k,   E_{k+1} = M − (h/2)D(q_{k+1}),
///
/// the second line being `p_{k+1} = M v_k − (h/2)∇V(q_{k+1}) + f_d⁺`. The forces are evaluated
/// once per step for all windows, at the new configurations (``HeldForces``), and each point's
/// `A⁻¹` (by `Matrix.inverse`'s column-by-column elimination) and E kept; constant forces have one
/// `A⁻¹` and one E per rollout. Observations are `(q_k, M⁻¹p_k)`. The states are in the
/// ``RolloutWorkspace`` as ``VerletRollout``'s, the discrete velocities beside them; the
/// potential's gradients and their pullbacks are batched over the windows, one call per step.
///
/// The pullback is the discrete adjoint of the three equations: for the cotangents `p̄_{k+1}`,
/// `q̄_{k+1}` (and `r̄_{k+1}` of the next step's right-hand side `r_{k+1}`),
/// `ḡ_{k+1} = −(h/2)(p̄_{k+1} + r̄_{k+1})` through the potential's Hessian, then the forces at
/// `q_{k+1}`: the pullback of `B̄ = (h/2)(p̄_{k+1}u_kᵀ + r̄_{k+1}u_{k+1}ᵀ)`,
/// `D̄ = −(h/2)(p̄_{k+1}v_kᵀ + r̄_{k+1}v_{k+1}ᵀ)` adds to `q̄_{k+1}` and to the forces' parameters;
/// `v̄_k = E_{k+1}ᵀp̄_{k+1} + h q̄_{k+1}`, `r̄_k = A_k⁻ᵀv̄_k`, `p̄_k = r̄_k`, `q̄_k = q̄_{k+1}`, and
/// `M̄ += p̄_{k+1}v_kᵀ − r̄_k v_kᵀ`. For constant forces B̄ and D̄ are summed over the steps
/// instead, `D̄ −= (h/2)(p̄_{k+1} + r̄_k)v_kᵀ`, `B̄ += (h/2)(p̄_{k+1} + r̄_k)u_kᵀ`, and pulled back
/// once.
struct ForcedVerletRollout<
  Potential: LearnablePotential, Mass: LearnableMassMatrix, Forces: LearnableForce
> {
  let verlet: VerletRollout<Potential, Mass>
  let learnedForces: Forces
  let forces: HeldForces
  /// Each point's `A⁻¹` and E.
  let matrices: StepMatrices
  /// `v_k` of window b at `(k B + b) n`, k = 0…K−1.
  let velocities: UnsafeMutablePointer<Double>
  /// The elimination of `A x = eⱼ`, reused from point to point.
  private let elimination: Elimination

  init(
    verlet: VerletRollout<Potential, Mass>, forces: Forces, inputs: [Double]
  ) {
    self.verlet = verlet
    learnedForces = forces
    let n = verlet.dimension
    let points = (verlet.steps + 1) * verlet.batch
    self.forces = HeldForces(
      forces, dimension: n, steps: verlet.steps, inputs: inputs, slots: points,
      derivatives: false, workspace: verlet.workspace)
    let slots = forces.dependsOnConfiguration ? points : 1
    matrices = StepMatrices(
      base: verlet.workspace.buffer(.forcedStepMatrices, count: 2 * slots * n * n), dimension: n,
      batch: verlet.batch, perPoint: forces.dependsOnConfiguration)
    velocities = verlet.workspace.buffer(
      .discreteVelocities, count: max(1, verlet.steps * verlet.batch * n))
    elimination = Elimination(dimension: n)
    if !forces.dependsOnConfiguration { prepareConstantMatrices() }
  }

  var dimension: Int { verlet.dimension }
  var batch: Int { verlet.batch }
  var steps: Int { verlet.steps }

  /// Constant forces' `A⁻¹` and E, once (`Matrix.inverse`; NaN if A is not invertible, which it
  /// always is: M is positive definite, D semi-definite).
  private func prepareConstantMatrices() {
    let n = dimension
    let half = 0.5 * verlet.stepSize
    let m = verlet.mass.mass
    let d = forces.dissipation(slot: 0)
    var a = Matrix.zeros(rows: n, columns: n)
    let e = matrices.momentum(0)
    for i in 0..<n {
      for j in 0..<n {
        a[i, j] = m[i, j] + half * d[i * n + j]
        e[i * n + j] = m[i, j] - half * d[i * n + j]
      }
    }
    let inverse = a.inverse?.storage ?? Array(repeating: .nan, count: n * n)
    for i in 0..<(n * n) { matrices.solve(0)[i] = inverse[i] }
  }

  /// The forces at the points k of every window (in `positions + offset(k)`), with their
  /// `A⁻¹` and E; nothing for constant forces.
  private func evaluateForces(atPoint k: Int) {
    guard forces.dependsOnConfiguration else { return }
    let n = dimension
    let half = 0.5 * verlet.stepSize
    let m = verlet.mass.mass.storage
    forces.evaluate(
      learnedForces, at: verlet.positions + verlet.offset(k), batch: batch, slot: k * batch,
      derivatives: false)
    for b in 0..<batch {
      let s = matrices.slot(k, b)
      let (d, e) = (forces.dissipation(slot: s), matrices.momentum(s))
      for i in 0..<(n * n) { e[i] = m[i] - half * d[i] }
      elimination.invert(mass: m, dissipation: d, scale: half, into: matrices.solve(s))
    }
  }

  /// Runs the K steps from `q₀` and `p₀` (already at step 0 of the buffers).
  func run() {
    let n = dimension
    let h = verlet.stepSize
    let half = 0.5 * h
    let (positions, momenta, gradients) = (verlet.positions, verlet.momenta, verlet.gradients)
    let scratch = verlet.workspace.buffer(.adjoints, count: n)
    let (forces, matrices, velocities, batch) = (
      self.forces, self.matrices, self.velocities, self.batch
    )
    verlet.potential.gradients(
      at: positions, batch: batch, into: gradients, workspace: verlet.workspace)
    evaluateForces(atPoint: 0)
    for k in 0..<steps {
      let (q, p, g) = (
        positions + verlet.offset(k), momenta + verlet.offset(k), gradients + verlet.offset(k)
      )
      let (qNext, pNext, gNext) = (
        positions + verlet.offset(k + 1), momenta + verlet.offset(k + 1),
        gradients + verlet.offset(k + 1)
      )
      let v = velocities + verlet.offset(k)
      for b in 0..<batch {
        let o = b * n
        let solve = matrices.solve(matrices.slot(k, b))
        for i in 0..<n { scratch[i] = p[o + i] - half * g[o + i] }
        forces.addInputForce(
          slot: matrices.slot(k, b), window: b, step: k, scale: half, to: scratch)
        for i in 0..<n {
          var sum = 0.0
          for j in 0..<n { sum += solve[i * n + j] * scratch[j] }
          v[o + i] = sum
          qNext[o + i] = q[o + i] + h * sum
        }
      }
      verlet.potential.gradients(
        at: qNext, batch: batch, into: gNext, workspace: verlet.workspace)
      evaluateForces(atPoint: k + 1)
      for b in 0..<batch {
        let o = b * n
        let momentum = matrices.momentum(matrices.slot(k + 1, b))
        for i in 0..<n {
          var sum = 0.0
          for j in 0..<n { sum += momentum[i * n + j] * v[o + j] }
          pNext[o + i] = sum - half * gNext[o + i]
        }
        forces.addInputForce(
          slot: matrices.slot(k + 1, b), window: b, step: k, scale: half, to: pNext + o)
      }
    }
  }

  /// The pullback for the window-major output cotangent `bar` of the observations
  /// `(q_k, M⁻¹p_k)`, given the initial velocities `v₀` (B blocks of n) of `p₀ = M v₀`: the
  /// potential's cotangent, `M̄` and `W̄` (W = M⁻¹), the forces' cotangent and the initial
  /// states' cotangent.
  func adjoint(_ bar: [Double], initialVelocities: [Double]) -> (
    potential: Potential.TangentVector, massBar: [Double], inverseBar: [Double],
    forces: Forces.TangentVector, initial: [Double]
  ) {
    let n = dimension
    let m = forces.inputCount
    let h = verlet.stepSize
    let half = 0.5 * h
    let w = verlet.mass.inverse.storage
    let massMatrix = verlet.mass.mass.storage
    let count = batch * n
    let constant = !forces.dependsOnConfiguration
    let (forces, matrices, velocities, batch, steps) = (
      self.forces, self.matrices, self.velocities, self.batch, self.steps
    )
    let buffer = verlet.workspace.buffer(.adjoints, count: 6 * count)
    let (qBar, pBar, rBar, gBar, vBar, product) = (
      buffer, buffer + count, buffer + 2 * count, buffer + 3 * count, buffer + 4 * count,
      buffer + 5 * count
    )
    buffer.update(repeating: 0, count: 6 * count)
    var potentialBar = Potential.TangentVector.zero
    var forcesBar = Forces.TangentVector.zero
    var massBar = Array(repeating: 0.0, count: n * n)
    var inverseBar = Array(repeating: 0.0, count: n * n)
    // Constant forces' B̄ and D̄, summed over the steps.
    var dissipationBar = Array(repeating: 0.0, count: constant ? n * n : 0)
    var inputMatrixBar = Array(repeating: 0.0, count: constant ? n * m : 0)

    /// The observed cotangents of step k: `q̄_k += ȳ_q`, `p̄_k += Wᵀȳ_v`, `W̄ += ȳ_v p_kᵀ`.
    func observe(_ k: Int) {
      let p = verlet.momenta + verlet.offset(k)
      for b in 0..<batch {
        let row = (b * (steps + 1) + k) * 2 * n
        for i in 0..<n {
          qBar[b * n + i] += bar[row + i]
          var sum = 0.0
          for j in 0..<n { sum += w[j * n + i] * bar[row + n + j] }
          pBar[b * n + i] += sum
          for j in 0..<n { inverseBar[i * n + j] += bar[row + n + i] * p[b * n + j] }
        }
      }
    }

    /// Forces that depend on q: the pullback at point k of `p̄_k`'s terms (step k − 1: `v_{k−1}`,
    /// `u_{k−1}`) and `r̄_k`'s (step k: `v_k`, `u_k`), added to `q̄_k` and the forces' cotangent.
    func pullbackForces(atPoint k: Int) {
      guard !constant else { return }
      forces.clearCotangents(slot: k * batch, batch: batch)
      var (unusedInputBar, unusedDissipationBar) = ([Double](), [Double]())
      // v_{k−1} and v_k of every window (the offsets of steps k − 1 and k).
      let (before, after) = (
        velocities + verlet.offset(max(k - 1, 0)), velocities + verlet.offset(k)
      )
      for b in 0..<batch {
        let o = b * n
        if k >= 1 {
          forces.accumulatePullback(
            slot: matrices.slot(k, b), window: b, step: k - 1, cotangent: pBar + o,
            velocity: before + o, scale: half,
            inputMatrixBar: &unusedInputBar, dissipationBar: &unusedDissipationBar)
        }
        if k < steps {
          forces.accumulatePullback(
            slot: matrices.slot(k, b), window: b, step: k, cotangent: rBar + o,
            velocity: after + o, scale: half,
            inputMatrixBar: &unusedInputBar, dissipationBar: &unusedDissipationBar)
        }
      }
      forces.pullback(
        learnedForces, at: verlet.positions + verlet.offset(k), batch: batch, slot: k * batch,
        into: &forcesBar)
      let pointBars = forces.pointBars + k * batch * n
      for i in 0..<count { qBar[i] += pointBars[i] }
    }

    observe(steps)
    for k in stride(from: steps - 1, through: 0, by: -1) {
      // ḡ_{k+1} = −(h/2)(p̄_{k+1} + r̄_{k+1}) through the potential's Hessian at q_{k+1}.
      for i in 0..<count { gBar[i] = -half * (pBar[i] + rBar[i]) }
      verlet.addPotentialPullback(
        step: k + 1, gBar, to: qBar, product: product, tangent: &potentialBar)
      pullbackForces(atPoint: k + 1)
      let v = velocities + verlet.offset(k)
      for b in 0..<batch {
        let o = b * n
        let (solve, momentum) = (
          matrices.solve(matrices.slot(k, b)), matrices.momentum(matrices.slot(k + 1, b))
        )
        // v̄_k = Eᵀp̄_{k+1} + h q̄_{k+1}; r̄_k = A⁻ᵀv̄_k.
        for i in 0..<n {
          var sum = 0.0
          for j in 0..<n { sum += momentum[j * n + i] * pBar[o + j] }
          vBar[o + i] = sum + h * qBar[o + i]
        }
        for i in 0..<n {
          var sum = 0.0
          for j in 0..<n { sum += solve[j * n + i] * vBar[o + j] }
          rBar[o + i] = sum
        }
        for i in 0..<n {
          let forcingBar = pBar[o + i] + rBar[o + i]
          for j in 0..<n { massBar[i * n + j] += (pBar[o + i] - rBar[o + i]) * v[o + j] }
          guard constant else { continue }
          for j in 0..<n { dissipationBar[i * n + j] -= half * forcingBar * v[o + j] }
          if m > 0, !forces.inputs.isEmpty {
            let u = (b * steps + k) * m
            for j in 0..<m {
              inputMatrixBar[i * m + j] += half * forcingBar * forces.inputs[u + j]
            }
          }
        }
        // p̄_k = r̄_k; q̄_k = q̄_{k+1}.
        for i in 0..<n { pBar[o + i] = rBar[o + i] }
      }
      observe(k)
    }
    if steps > 0 {
      for i in 0..<count { gBar[i] = -half * rBar[i] }
      verlet.addPotentialPullback(step: 0, gBar, to: qBar, product: product, tangent: &potentialBar)
      // At q₀ only r₀ and A₀ hold the forces.
      pullbackForces(atPoint: 0)
    }
    if constant {
      forcesBar = forces.constantPullback(
        learnedForces, inputMatrixBar: inputMatrixBar, dissipationBar: dissipationBar)
    }
    // p₀ = M v₀ (p̄₀ = r̄₀ + the observation).
    var initial = Array(repeating: 0.0, count: 2 * count)
    for b in 0..<batch {
      let o = b * n
      for i in 0..<n {
        initial[2 * o + i] = qBar[o + i]
        var sum = 0.0
        for j in 0..<n { sum += massMatrix[j * n + i] * pBar[o + j] }
        initial[2 * o + n + i] = sum
        for j in 0..<n { massBar[i * n + j] += pBar[o + i] * initialVelocities[o + j] }
      }
    }
    return (potentialBar, massBar, inverseBar, forcesBar, initial)
  }
}

/// The forced Verlet step's matrices at the rollout's points: point s's `A⁻¹` and E, row-major,
/// at `2 s n²` and `(2 s + 1) n²` (s = k B + b; for constant forces point 0's are every
/// point's). Not generic, for the per-window loops of the generic rollout.
struct StepMatrices {
  let base: UnsafeMutablePointer<Double>
  let dimension: Int
  let batch: Int
  /// Whether each point has its own (forces that depend on q).
  let perPoint: Bool

  /// The slot of window b's point k.
  @inline(__always)
  func slot(_ k: Int, _ b: Int) -> Int { perPoint ? k * batch + b : 0 }
  /// `A⁻¹` and E of a slot.
  @inline(__always)
  func solve(_ s: Int) -> UnsafeMutablePointer<Double> { base + 2 * s * dimension * dimension }
  @inline(__always)
  func momentum(_ s: Int) -> UnsafeMutablePointer<Double> {
    base + (2 * s + 1) * dimension * dimension
  }
}

/// The solves `A x = eⱼ` of `A = M + s D` by `Matrix.solveInPlace` (Gaussian elimination with
/// partial pivoting, as `Matrix.inverse`), in storage allocated once.
private final class Elimination {
  var matrix: Matrix
  var column: [Double]

  init(dimension n: Int) {
    matrix = .zeros(rows: n, columns: n)
    column = Array(repeating: 0, count: n)
  }

  /// `(M + s D)⁻¹` (n×n, row-major) to `inverse`; NaN when a solve fails.
  func invert(
    mass: [Double], dissipation d: UnsafePointer<Double>, scale s: Double,
    into inverse: UnsafeMutablePointer<Double>
  ) {
    let n = column.count
    for j in 0..<n {
      do {
        var entries = matrix.storage.mutableSpan
        for i in 0..<(n * n) { entries[i] = mass[i] + s * d[i] }
        var right = column.mutableSpan
        for i in 0..<n { right[i] = i == j ? 1 : 0 }
      }
      let solved = matrix.solveInPlace(&column)
      for i in 0..<n { inverse[i * n + j] = solved ? column[i] : .nan }
    }
  }
}
