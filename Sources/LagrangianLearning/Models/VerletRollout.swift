import DiscreteMechanics
import Manifolds
import _Differentiation

/// The batched forward pass that both VINs share: B windows stepped together by Störmer–Verlet
/// in momentum form for the learned Lagrangian `L = ½ q̇ᵀMq̇ − V_θ(q)`,
///
///     p_{k+½} = p_k − (h/2) ∇V(q_k),  q_{k+1} = q_k + h M⁻¹ p_{k+½},  p_{k+1} = p_{k+½} − (h/2) ∇V(q_{k+1}),
///
/// the same arithmetic as DiscreteMechanics' `StormerVerlet` on the ``LearnedSystem`` (tests
/// compare the two), with the potential's gradient evaluated for all windows in one call per
/// step (``LearnablePotential/gradients(at:batch:into:workspace:)``).
///
/// The states live in a ``RolloutWorkspace``, step-major and contiguous: `q_k`, `p_k` and
/// `∇V(q_k)` of window b at `(k B + b) n`. Nothing is allocated per step; the rollout's
/// pullback reads `q_k` and `∇V(q_k)` back from the same buffers.
struct VerletRollout<Potential: LearnablePotential, Mass: LearnableMassMatrix> {
  let potential: Potential
  let mass: MassEvaluation<Mass>
  let stepSize: Double
  /// The number B of windows.
  let batch: Int
  /// The number of steps K.
  let steps: Int
  let workspace: RolloutWorkspace
  /// `q_k`, `p_k`, `∇V(q_k)`, k = 0…K.
  let positions: UnsafeMutablePointer<Double>
  let momenta: UnsafeMutablePointer<Double>
  let gradients: UnsafeMutablePointer<Double>

  init(
    potential: Potential, mass: MassEvaluation<Mass>, stepSize: Double, batch: Int, steps: Int,
    workspace: RolloutWorkspace
  ) {
    self.potential = potential
    self.mass = mass
    self.stepSize = stepSize
    self.batch = batch
    self.steps = steps
    self.workspace = workspace
    let count = (steps + 1) * batch * potential.dimension
    positions = workspace.buffer(.positions, count: count)
    momenta = workspace.buffer(.momenta, count: count)
    gradients = workspace.buffer(.gradients, count: count)
  }

  /// The configuration dimension n.
  var dimension: Int { potential.dimension }

  /// Where step k's B vectors start in ``positions``, ``momenta`` and ``gradients``.
  func offset(_ k: Int) -> Int { k * batch * dimension }

  /// Runs the K steps from `q₀` and `p₀` (already written at step 0 of ``positions`` and
  /// ``momenta``), evaluating `∇V(q₀)` first.
  func run() {
    let n = dimension
    let h = stepSize
    let half = 0.5 * h
    let w = mass.inverse.storage
    potential.gradients(at: positions, batch: batch, into: gradients, workspace: workspace)
    for k in 0..<steps {
      let (q, p, g) = (positions + offset(k), momenta + offset(k), gradients + offset(k))
      let (qNext, pNext, gNext) = (
        positions + offset(k + 1), momenta + offset(k + 1), gradients + offset(k + 1)
      )
      for b in 0..<batch {
        let o = b * n
        for i in 0..<n { pNext[o + i] = p[o + i] - half * g[o + i] }
        for i in 0..<n {
          var v = 0.0
          for j in 0..<n { v += w[i * n + j] * pNext[o + j] }
          qNext[o + i] = q[o + i] + h * v
        }
      }
      potential.gradients(at: qNext, batch: batch, into: gNext, workspace: workspace)
      for i in 0..<(batch * n) { pNext[i] -= half * gNext[i] }
    }
  }

  /// `y_b = W x_b` for the n×n row-major `w` and the B vectors of `x` (`y` may not alias `x`).
  func multiply(
    _ w: [Double], _ x: UnsafePointer<Double>, into y: UnsafeMutablePointer<Double>,
    scale: Double = 1, accumulate: Bool = false
  ) {
    let n = dimension
    for b in 0..<batch {
      let o = b * n
      for i in 0..<n {
        var sum = 0.0
        for j in 0..<n { sum += w[i * n + j] * x[o + j] }
        y[o + i] = (accumulate ? y[o + i] : 0) + scale * sum
      }
    }
  }

  /// `W̄ += a Σ_b u_b v_bᵀ` (row-major n×n) for B vectors u_b, v_b.
  func accumulateOuter(
    _ a: Double, _ u: UnsafePointer<Double>, _ v: UnsafePointer<Double>, into wBar: inout [Double]
  ) {
    let n = dimension
    for b in 0..<batch {
      let o = b * n
      for i in 0..<n {
        for j in 0..<n { wBar[i * n + j] += a * u[o + i] * v[o + j] }
      }
    }
  }

  /// The potential's pullback at step k's configurations for the cotangents `gBar`, adding
  /// `∇²V(q_k) ḡ` to `qBar`; `product` is B·n numbers of scratch.
  func addPotentialPullback(
    step k: Int, _ gBar: UnsafePointer<Double>, to qBar: UnsafeMutablePointer<Double>,
    product: UnsafeMutablePointer<Double>, tangent: inout Potential.TangentVector
  ) {
    potential.accumulateGradientPullback(
      at: positions + offset(k), batch: batch, cotangent: gBar, into: product,
      tangent: &tangent, workspace: workspace)
    for i in 0..<(batch * dimension) { qBar[i] += product[i] }
  }

  /// Writes the B initial states `(q₀, q̇₀)` (2n numbers each) as `q₀` and `p₀ = M q̇₀` at
  /// step 0 of the buffers.
  func load(_ initial: [Double]) {
    let n = dimension
    let m = mass.mass.storage
    for b in 0..<batch {
      for i in 0..<n {
        positions[b * n + i] = initial[2 * b * n + i]
        var p = 0.0
        for j in 0..<n { p += m[i * n + j] * initial[2 * b * n + n + j] }
        momenta[b * n + i] = p
      }
    }
  }

  /// The window-major observations `(q_k, M⁻¹p_k)` of the buffers.
  func output() -> [Double] {
    let n = dimension
    let w = mass.inverse.storage
    var output = [Double](repeating: 0, count: batch * (steps + 1) * 2 * n)
    for b in 0..<batch {
      for k in 0...steps {
        let row = (b * (steps + 1) + k) * 2 * n
        let state = offset(k) + b * n
        for i in 0..<n {
          output[row + i] = positions[state + i]
          var v = 0.0
          for j in 0..<n { v += w[i * n + j] * momenta[state + j] }
          output[row + n + i] = v
        }
      }
    }
    return output
  }

  /// A forecast of one window from `(q₀, q̇₀)` (n entries each) with the learned energy
  /// `½ q̇ᵀMq̇ + V(q)`.
  /// - Throws: ``LearningError/integrationFailed(_:)`` when the state stops being finite.
  func forecast(position q0: [Double], velocity v0: [Double]) throws(LearningError) -> Forecast {
    load(q0 + v0)
    run()
    return try forecastFromBuffers()
  }

  /// The forecast of one window whose states are in the buffers.
  /// - Throws: ``LearningError/integrationFailed(_:)`` when the state stops being finite.
  func forecastFromBuffers() throws(LearningError) -> Forecast {
    let n = dimension
    let system = LearnedSystem(potential: potential, mass: mass.mass)
    var forecast = Forecast(times: [], positions: [], velocities: [], energies: [])
    for k in 0...steps {
      let q = Array(UnsafeBufferPointer(start: positions + offset(k), count: n))
      let p = Array(UnsafeBufferPointer(start: momenta + offset(k), count: n))
      guard q.allSatisfy(\.isFinite), p.allSatisfy(\.isFinite) else {
        throw .integrationFailed(.nonFiniteState(step: k))
      }
      forecast.times.append(Double(k) * stepSize)
      forecast.positions.append(q)
      forecast.velocities.append(mass.inverse * p)
      forecast.energies?.append(system.energy(PhaseState(q: q, p: p)))
    }
    return forecast
  }
}

/// `y += a x`.
@inlinable
func axpy(_ a: Double, _ x: [Double], _ y: inout [Double]) {
  for i in y.indices { y[i] += a * x[i] }
}

/// Step-major rows (row k holds B blocks of `width` numbers) rearranged window-major
/// (window b holds its rows k = 0…K−1 back to back).
func windowMajor(_ rows: [[Double]], width: Int) -> [Double] {
  guard let first = rows.first else { return [] }
  let batch = first.count / width
  var result: [Double] = []
  result.reserveCapacity(batch * rows.count * width)
  for b in 0..<batch {
    for row in rows { result += row[(b * width)..<((b + 1) * width)] }
  }
  return result
}

/// Row k (B blocks of `width`) of a window-major array of `rowCount` rows per window.
func stepRow(_ flat: [Double], _ k: Int, rowCount: Int, width: Int) -> [Double] {
  let batch = flat.count / (rowCount * width)
  var row: [Double] = []
  row.reserveCapacity(batch * width)
  for b in 0..<batch {
    let start = (b * rowCount + k) * width
    row += flat[start..<(start + width)]
  }
  return row
}
