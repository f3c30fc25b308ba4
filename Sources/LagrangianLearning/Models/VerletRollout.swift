import DiscreteMechanics
import Manifolds
import _Differentiation

/// The forward pass that both VINs share: DiscreteMechanics' `StormerVerlet` stepping the
/// ``LearnedSystem`` of a learned potential and mass matrix, so that training, forecasting and
/// `vin simulate` run one implementation of the step. A batch of B windows is stepped
/// together as B copies of the learned system (vectors of length nB, window b at `b n`).
struct VerletRollout<Potential: LearnablePotential, Mass: LearnableMassMatrix> {
  let potential: Potential
  let mass: MassEvaluation<Mass>
  let stepSize: Double
  let copies: Int
  /// Records the forward pass's gradient evaluations for the pullback (training only).
  let tape: GradientTape<Potential>?

  init(potential: Potential, mass: Mass, stepSize: Double, copies: Int = 1, recording: Bool = false)
  {
    self.potential = potential
    self.mass = MassEvaluation(mass)
    self.stepSize = stepSize
    self.copies = copies
    tape = recording ? GradientTape() : nil
  }

  var system: LearnedSystem<Potential> {
    LearnedSystem(
      potential: potential, mass: mass.mass, inverseMass: mass.inverse, copies: copies,
      tape: tape)
  }

  /// `∇V` at `points` with its pullback, from the tape when the forward pass recorded it.
  func pass(at points: [Double], hint: Int) -> GradientTape<Potential>.Pass {
    if let tape { return tape.pass(at: points, hint: hint, potential: potential) }
    let pass = potential.gradientsWithPullback(at: points)
    return (points, pass.value, pass.pullback)
  }

  /// `(q_k, M⁻¹p_k)` for k = 0…steps from `(q₀, p₀)`, by Störmer–Verlet.
  /// - Throws: the integrator's error (invalid step size, non-finite state).
  func trajectory(position q0: [Double], momentum p0: [Double], steps: Int)
    throws(IntegrationError) -> (positions: [[Double]], velocities: [[Double]])
  {
    var integrator = try StormerVerlet(system: system, stepSize: stepSize)
    let trajectory = try integrator.integrate(from: PhaseState(q: q0, p: p0), steps: steps)
    let inverse = mass.inverse
    return (trajectory.states.map(\.q), trajectory.states.map { blockProduct(inverse, $0.p) })
  }

  /// As ``trajectory(position:momentum:steps:)``, with NaN rows after a failure, for the
  /// differentiable rollouts (which cannot throw; the training loss then reports the NaN).
  func trajectoryOrNaN(position q0: [Double], momentum p0: [Double], steps: Int)
    -> (positions: [[Double]], velocities: [[Double]])
  {
    do {
      return try trajectory(position: q0, momentum: p0, steps: steps)
    } catch {
      let nan = Array(repeating: Double.nan, count: q0.count)
      return (
        Array(repeating: nan, count: steps + 1), Array(repeating: nan, count: steps + 1)
      )
    }
  }

  /// `M v` for every window.
  func momentum(_ v: [Double]) -> [Double] { blockProduct(mass.mass, v) }

  /// A forecast from `(q₀, q̇₀)` with the learned energy `½ q̇ᵀMq̇ + V(q)`.
  func forecast(position q0: [Double], velocity v0: [Double], steps: Int)
    throws(LearningError) -> Forecast
  {
    let n = potential.dimension
    guard q0.count == n else { throw .dimensionMismatch(name: "q0", expected: n, actual: q0.count) }
    guard v0.count == n else { throw .dimensionMismatch(name: "v0", expected: n, actual: v0.count) }
    let system = self.system
    do throws(IntegrationError) {
      let (positions, velocities) = try trajectory(
        position: q0, momentum: momentum(v0), steps: steps)
      let energies = zip(positions, velocities).map { q, v in
        system.energy(PhaseState(q: q, p: mass.mass * v))
      }
      return Forecast(
        times: (0...steps).map { Double($0) * stepSize }, positions: positions,
        velocities: velocities, energies: energies)
    } catch {
      throw .integrationFailed(error)
    }
  }
}

/// `y += a x`.
@inlinable
func axpy(_ a: Double, _ x: [Double], _ y: inout [Double]) {
  for i in y.indices { y[i] += a * x[i] }
}

/// `(W x_b)_b` for the n×n `W` and B vectors of length n back to back.
func blockProduct(_ w: Matrix, _ x: [Double]) -> [Double] {
  let n = w.rows
  var result = Array(repeating: 0.0, count: x.count)
  for b in 0..<(x.count / n) {
    for i in 0..<n {
      var sum = 0.0
      for j in 0..<n { sum += w[i, j] * x[b * n + j] }
      result[b * n + i] = sum
    }
  }
  return result
}

/// `W̄ += a Σ_b u_b v_bᵀ` (row-major n×n; B vectors of length n back to back in u and v).
func accumulateOuter(_ a: Double, _ u: [Double], _ v: [Double], _ wBar: inout [Double], n: Int) {
  for b in 0..<(u.count / n) {
    for i in 0..<n {
      for j in 0..<n { wBar[i * n + j] += a * u[b * n + i] * v[b * n + j] }
    }
  }
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

/// `(x_b, y_b)_b` interleaved from two arrays of B blocks of n, and back.
func interleave(_ x: [Double], _ y: [Double], n: Int) -> [Double] {
  var result: [Double] = []
  result.reserveCapacity(2 * x.count)
  for b in 0..<(x.count / n) {
    result += x[(b * n)..<((b + 1) * n)]
    result += y[(b * n)..<((b + 1) * n)]
  }
  return result
}

func deinterleave(_ xy: [Double], n: Int) -> (x: [Double], y: [Double]) {
  var x: [Double] = []
  var y: [Double] = []
  for b in 0..<(xy.count / (2 * n)) {
    x += xy[(2 * b * n)..<((2 * b + 1) * n)]
    y += xy[((2 * b + 1) * n)..<((2 * b + 2) * n)]
  }
  return (x, y)
}
