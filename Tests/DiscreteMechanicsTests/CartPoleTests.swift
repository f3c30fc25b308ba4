import DiscreteMechanics
import Foundation
import Manifolds
import Testing

/// The cart-pole's derivatives against central differences, and its equations of motion against
/// the textbook form.
@Suite("CartPole")
struct CartPoleTests {
  let system: CartPole
  let points: [[Double]] = [[0.3, 0.5], [-1.2, 2.9], [2, -2.2], [0, 0]]
  let delta = 1e-5

  init() throws {
    system = try CartPole(
      cartMass: 1.3, poleMass: 0.4, length: 0.7, gravity: 9.81, friction: 0.2, damping: 0.1)
  }

  func centralDifference(_ f: ([Double]) -> [Double], at q: [Double], coordinate j: Int)
    -> [Double]
  {
    var (plus, minus) = (q, q)
    plus[j] += delta
    minus[j] -= delta
    return zip(f(plus), f(minus)).map { ($0 - $1) / (2 * delta) }
  }

  @Test("∇V, ∇²V, ∂M/∂qⁱ and ∂²M/∂qⁱ∂qʲ against central differences")
  func derivatives() {
    for q in points {
      for j in 0..<2 {
        let gradient = centralDifference({ [system.potential(at: $0)] }, at: q, coordinate: j)
        #expect(abs(system.potentialGradient(at: q)[j] - gradient[0]) < 1e-8)
        let hessian = centralDifference({ system.potentialGradient(at: $0) }, at: q, coordinate: j)
        let analyticHessian = system.potentialHessian(at: q)
        #expect(maxDifference([analyticHessian[0, j], analyticHessian[1, j]], hessian) < 1e-8)
        let mass = centralDifference({ system.massMatrix(at: $0).storage }, at: q, coordinate: j)
        #expect(
          maxDifference(system.massMatrixDerivative(at: q, coordinate: j).storage, mass) < 1e-9)
        for i in 0..<2 {
          let second = centralDifference(
            { system.massMatrixDerivative(at: $0, coordinate: i).storage }, at: q, coordinate: j)
          #expect(
            maxDifference(
              system.massMatrixSecondDerivative(at: q, coordinates: i, j).storage, second) < 1e-9)
        }
      }
    }
  }

  /// `(m_c + m_p) ẍ + m_p l (θ̈ cos θ − θ̇² sin θ) = u − c ẋ` and
  /// `m_p l ẍ cos θ + m_p l² θ̈ + m_p g l sin θ = −d θ̇`, solved for (ẍ, θ̈), against the
  /// accelerations of Hamilton's equations with the forces (`ṗ` and `d/dt (M q̇)`).
  @Test("equations of motion with the input, friction and damping")
  func equationsOfMotion() throws {
    let (mc, mp, l, g, c, d) = (1.3, 0.4, 0.7, 9.81, 0.2, 0.1)
    var field = try HamiltonianVectorField(system: system, forces: system.forces)
    for (q, v, u) in [([0.3, 0.5], [0.7, -1.1], 2.0), ([-1, 2.9], [0, 3], -0.5)] {
      try field.holdInput([u])
      let (theta, thetaDot) = (q[1], v[1])
      // The textbook system A (ẍ, θ̈) = r.
      let a = try Matrix(
        rows: 2, columns: 2,
        storage: [mc + mp, mp * l * cos(theta), mp * l * cos(theta), mp * l * l])
      let r = [
        u - c * v[0] + mp * l * thetaDot * thetaDot * sin(theta),
        -d * thetaDot - mp * g * l * sin(theta),
      ]
      let acceleration = try #require(a.solve(r))
      // ṗ from the field, and d/dt(M q̇) = M q̈ + (∂M/∂θ θ̇) q̇.
      let state = try system.state(position: q, velocity: v)
      let pDot = Array(try field(state.flattened)[2...])
      let mDot = system.massMatrixDerivative(at: q, coordinate: 1)
      var expected = system.massMatrix(at: q) * acceleration
      for i in 0..<2 { expected[i] += thetaDot * (mDot[i, 0] * v[0] + mDot[i, 1] * v[1]) }
      #expect(maxDifference(pDot, expected) < 1e-12, "\(pDot) against \(expected)")
    }
  }
}
