import VINKit

/// A linear stabiliser of the upright designed on a model's own one-step map.
///
/// The model's step `(q_k, q̇_k, u_k) ↦ (q_{k+1}, q̇_{k+1})` is linearised at rest upright with no
/// torque by central differences, `x_{k+1} ≈ A x_k + b u_k` with `x = (q − π, q̇)`, and the
/// torque is the discrete-time linear-quadratic regulator's, `u = −K x`, which minimises
/// `Σ (x_kᵀ Q x_k + r u_k²)` for the linearised model:
///
///     K = (r + bᵀPb)⁻¹ bᵀPA,    P the fixed point of  P ← Q + Aᵀ P (A − b K)
///
/// (the discrete Riccati recursion, iterated from P = Q). Any model that forecasts under inputs
/// gives one, a network without an energy as well as a VIN.
struct UprightBalance: FeedbackLaw {
  /// K = (K_q, K_q̇).
  let gain: (angle: Double, velocity: Double)

  /// The regulator for `model` with weights Q = diag(1, 0.1) and r = 0.01, or `nil` when the
  /// Riccati recursion does not converge (a linearisation that the input cannot stabilise).
  /// - Throws: `LearningError` when the model cannot forecast one step.
  init?(model: some RolloutModel) throws {
    let (a, b) = try Self.linearisation(of: model)
    let (q, r) = ([1.0, 0.1], 0.01)
    var p = [[q[0], 0], [0, q[1]]]
    var k = [0.0, 0.0]
    for _ in 0..<10_000 {
      let pa = Self.product(p, a)
      let pb = [p[0][0] * b[0] + p[0][1] * b[1], p[1][0] * b[0] + p[1][1] * b[1]]
      let s = r + b[0] * pb[0] + b[1] * pb[1]
      k = [(b[0] * pa[0][0] + b[1] * pa[1][0]) / s, (b[0] * pa[0][1] + b[1] * pa[1][1]) / s]
      let closed = [
        [a[0][0] - b[0] * k[0], a[0][1] - b[0] * k[1]],
        [a[1][0] - b[1] * k[0], a[1][1] - b[1] * k[1]],
      ]
      let transposed = [[a[0][0], a[1][0]], [a[0][1], a[1][1]]]
      var next = Self.product(transposed, Self.product(p, closed))
      next[0][0] += q[0]
      next[1][1] += q[1]
      let change = zip(next.joined(), p.joined()).map { abs($0 - $1) }.max() ?? .nan
      p = next
      guard p.joined().allSatisfy(\.isFinite) else { return nil }
      if change <= 1e-12 * max(1, p.joined().map(abs).max() ?? 1) {
        gain = (k[0], k[1])
        return
      }
    }
    return nil
  }

  func torque(angle q: Double, velocity v: Double) -> Double {
    -(gain.angle * angleFromUpright(q) + gain.velocity * v)
  }

  /// A (2×2) and b (2) of the model's step at `x = 0, u = 0`, by central differences of step 10⁻⁴.
  static func linearisation(of model: some RolloutModel) throws -> (
    a: [[Double]], b: [Double]
  ) {
    let epsilon = 1e-4
    func step(_ dq: Double, _ dv: Double, _ u: Double) throws -> [Double] {
      let forecast = try model.forecast(
        from: .coordinates(position: [.pi + dq], velocity: [dv]), inputs: [[u]], steps: 1)
      guard case .coordinates(let next) = forecast else {
        throw LearningError.invalidConfiguration(
          name: "balance model", value: forecast.layout.stateDescription,
          requirement: "must forecast an angle and an angular velocity")
      }
      return [next.positions[1][0], next.velocities[1][0]]
    }
    func derivative(_ plus: [Double], _ minus: [Double]) -> [Double] {
      zip(plus, minus).map { ($0 - $1) / (2 * epsilon) }
    }
    let columnQ = derivative(try step(epsilon, 0, 0), try step(-epsilon, 0, 0))
    let columnV = derivative(try step(0, epsilon, 0), try step(0, -epsilon, 0))
    let b = derivative(try step(0, 0, epsilon), try step(0, 0, -epsilon))
    return ([[columnQ[0], columnV[0]], [columnQ[1], columnV[1]]], b)
  }

  /// The product of two 2×2 matrices.
  static func product(_ x: [[Double]], _ y: [[Double]]) -> [[Double]] {
    (0..<2).map { i in (0..<2).map { j in x[i][0] * y[0][j] + x[i][1] * y[1][j] } }
  }
}
