import DiscreteMechanics
import Manifolds

/// The batched rollout of a forced ``VINVelocityVerlet`` and its pullback: Störmer–Verlet with
/// the discrete forces `f_d^∓ = (h/2) F(q_{k or k+1}, v_k, u_k)` of the constant force
/// `F = B u − D q̇` (Marsden and West, *Discrete mechanics and variational integrators*, Acta
/// Numerica 2001, §3), evaluated at the step's discrete velocity `v_k = (q_{k+1} − q_k)/h` with u
/// held over the step:
///
///     (M + (h/2)D) v_k = p_k − (h/2)∇V(q_k) + (h/2)B u_k,    q_{k+1} = q_k + h v_k,
///     p_{k+1} = (M − (h/2)D) v_k − (h/2)∇V(q_{k+1}) + (h/2)B u_k,
///
/// the second line being `p_{k+1} = M v_k − (h/2)∇V(q_{k+1}) + f_d⁺`. The linear solve is one
/// inverse `A⁻¹ = (M + (h/2)D)⁻¹` per rollout (M and D are constant). Observations are
/// `(q_k, M⁻¹p_k)`. The states are in the ``RolloutWorkspace`` as ``VerletRollout``'s, the
/// discrete velocities beside them; the potential's gradients and their pullbacks are batched
/// over the windows, one call per step.
///
/// The pullback is the discrete adjoint of the three equations: for the cotangents `p̄_{k+1}`,
/// `q̄_{k+1}` (and `r̄_{k+1}` of the next step's right-hand side `r_{k+1}`),
/// `ḡ_{k+1} = −(h/2)(p̄_{k+1} + r̄_{k+1})` through the potential's Hessian,
/// `v̄_k = (M − (h/2)D)ᵀp̄_{k+1} + h q̄_{k+1}`, `r̄_k = A⁻ᵀv̄_k`, `p̄_k = r̄_k`, `q̄_k = q̄_{k+1}`,
/// and `M̄ += p̄_{k+1}v_kᵀ − r̄_k v_kᵀ`, `D̄ −= (h/2)(p̄_{k+1} + r̄_k)v_kᵀ`,
/// `B̄ += (h/2)(p̄_{k+1} + r̄_k)u_kᵀ`.
struct ForcedVerletRollout<Potential: LearnablePotential, Mass: LearnableMassMatrix> {
  let verlet: VerletRollout<Potential, Mass>
  /// B (n×m) and D (n×n), row-major.
  let inputMatrix: [Double]
  let dissipation: [Double]
  let inputCount: Int
  /// The inputs, window-major: window b's `u_0, …, u_{K−1}` (empty: all zero).
  let inputs: [Double]
  /// `A⁻¹ = (M + (h/2)D)⁻¹` and `E = M − (h/2)D`, row-major, and their transposes.
  let solve: [Double]
  let solveTransposed: [Double]
  let momentum: [Double]
  let momentumTransposed: [Double]
  /// `v_k` of window b at `(k B + b) n`, k = 0…K−1.
  let velocities: UnsafeMutablePointer<Double>

  init(
    verlet: VerletRollout<Potential, Mass>, inputMatrix: [Double], dissipation: [Double],
    inputCount: Int, inputs: [Double]
  ) {
    self.verlet = verlet
    self.inputMatrix = inputMatrix
    self.dissipation = dissipation
    self.inputCount = inputCount
    self.inputs = inputs
    let n = verlet.dimension
    let half = 0.5 * verlet.stepSize
    let m = verlet.mass.mass
    var a = Matrix.zeros(rows: n, columns: n)
    var e = Array(repeating: 0.0, count: n * n)
    for i in 0..<n {
      for j in 0..<n {
        a[i, j] = m[i, j] + half * dissipation[i * n + j]
        e[i * n + j] = m[i, j] - half * dissipation[i * n + j]
      }
    }
    // M + (h/2)D is positive definite (M is, D is semi-definite); NaN if it is not invertible.
    let inverse = a.inverse?.storage ?? Array(repeating: .nan, count: n * n)
    solve = inverse
    solveTransposed = Self.transposed(inverse, n)
    momentum = e
    momentumTransposed = Self.transposed(e, n)
    velocities = verlet.workspace.buffer(
      .discreteVelocities, count: max(1, verlet.steps * verlet.batch * n))
  }

  static func transposed(_ a: [Double], _ n: Int) -> [Double] {
    var t = a
    for i in 0..<n {
      for j in 0..<n { t[j * n + i] = a[i * n + j] }
    }
    return t
  }

  var dimension: Int { verlet.dimension }
  var batch: Int { verlet.batch }
  var steps: Int { verlet.steps }

  /// `(h/2) B u` of window b at step k added to `y` (n numbers).
  func addForcing(window b: Int, step k: Int, to y: UnsafeMutablePointer<Double>) {
    let (n, m) = (dimension, inputCount)
    guard m > 0, !inputs.isEmpty else { return }
    let half = 0.5 * verlet.stepSize
    let u = (b * steps + k) * m
    for i in 0..<n {
      var sum = 0.0
      for j in 0..<m { sum += inputMatrix[i * m + j] * inputs[u + j] }
      y[i] += half * sum
    }
  }

  /// Runs the K steps from `q₀` and `p₀` (already at step 0 of the buffers).
  func run() {
    let n = dimension
    let h = verlet.stepSize
    let half = 0.5 * h
    let (positions, momenta, gradients) = (verlet.positions, verlet.momenta, verlet.gradients)
    let scratch = verlet.workspace.buffer(.adjoints, count: n)
    verlet.potential.gradients(
      at: positions, batch: batch, into: gradients, workspace: verlet.workspace)
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
        for i in 0..<n { scratch[i] = p[o + i] - half * g[o + i] }
        addForcing(window: b, step: k, to: scratch)
        for i in 0..<n {
          var sum = 0.0
          for j in 0..<n { sum += solve[i * n + j] * scratch[j] }
          v[o + i] = sum
          qNext[o + i] = q[o + i] + h * sum
        }
      }
      verlet.potential.gradients(
        at: qNext, batch: batch, into: gNext, workspace: verlet.workspace)
      for b in 0..<batch {
        let o = b * n
        for i in 0..<n {
          var sum = 0.0
          for j in 0..<n { sum += momentum[i * n + j] * v[o + j] }
          pNext[o + i] = sum - half * gNext[o + i]
        }
        addForcing(window: b, step: k, to: pNext + o)
      }
    }
  }

  /// The pullback for the window-major output cotangent `bar` of the observations
  /// `(q_k, M⁻¹p_k)`, given the initial velocities `v₀` (B blocks of n) of `p₀ = M v₀`: the
  /// potential's cotangent, `M̄` and `W̄` (W = M⁻¹), `B̄`, `D̄` (row-major) and the initial
  /// states' cotangent.
  func adjoint(_ bar: [Double], initialVelocities: [Double]) -> (
    potential: Potential.TangentVector, massBar: [Double], inverseBar: [Double],
    inputMatrixBar: [Double], dissipationBar: [Double], initial: [Double]
  ) {
    let n = dimension
    let m = inputCount
    let h = verlet.stepSize
    let half = 0.5 * h
    let w = verlet.mass.inverse.storage
    let massMatrix = verlet.mass.mass.storage
    let count = batch * n
    let buffer = verlet.workspace.buffer(.adjoints, count: 6 * count)
    let (qBar, pBar, rBar, gBar, vBar, product) = (
      buffer, buffer + count, buffer + 2 * count, buffer + 3 * count, buffer + 4 * count,
      buffer + 5 * count
    )
    buffer.update(repeating: 0, count: 6 * count)
    var potentialBar = Potential.TangentVector.zero
    var massBar = Array(repeating: 0.0, count: n * n)
    var inverseBar = Array(repeating: 0.0, count: n * n)
    var dissipationBar = Array(repeating: 0.0, count: n * n)
    var inputMatrixBar = Array(repeating: 0.0, count: n * m)

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

    observe(steps)
    for k in stride(from: steps - 1, through: 0, by: -1) {
      // ḡ_{k+1} = −(h/2)(p̄_{k+1} + r̄_{k+1}) through the potential's Hessian at q_{k+1}.
      for i in 0..<count { gBar[i] = -half * (pBar[i] + rBar[i]) }
      verlet.addPotentialPullback(
        step: k + 1, gBar, to: qBar, product: product, tangent: &potentialBar)
      let v = velocities + verlet.offset(k)
      for b in 0..<batch {
        let o = b * n
        // v̄_k = Eᵀp̄_{k+1} + h q̄_{k+1}; r̄_k = A⁻ᵀv̄_k.
        for i in 0..<n {
          var sum = 0.0
          for j in 0..<n { sum += momentumTransposed[i * n + j] * pBar[o + j] }
          vBar[o + i] = sum + h * qBar[o + i]
        }
        for i in 0..<n {
          var sum = 0.0
          for j in 0..<n { sum += solveTransposed[i * n + j] * vBar[o + j] }
          rBar[o + i] = sum
        }
        for i in 0..<n {
          let forcingBar = pBar[o + i] + rBar[o + i]
          for j in 0..<n {
            massBar[i * n + j] += (pBar[o + i] - rBar[o + i]) * v[o + j]
            dissipationBar[i * n + j] -= half * forcingBar * v[o + j]
          }
          if m > 0, !inputs.isEmpty {
            let u = (b * steps + k) * m
            for j in 0..<m { inputMatrixBar[i * m + j] += half * forcingBar * inputs[u + j] }
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
    }
    // p₀ = M v₀.
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
    return (potentialBar, massBar, inverseBar, inputMatrixBar, dissipationBar, initial)
  }
}
