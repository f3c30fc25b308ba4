import DiscreteMechanics
import Foundation
import Manifolds
import Testing

/// The double pendulum's analytic derivatives against central differences, its mass matrix, and
/// parameter validation.
@Suite("DoublePendulum")
struct DoublePendulumTests {
  /// Unequal masses and lengths, so that a swapped index or factor shows.
  let system: DoublePendulum
  let points: [[Double]] = [[0.5, 1.0], [-2.1, 0.4], [3.0, -2.7], [0, 0]]
  let delta = 1e-5

  init() throws {
    system = try DoublePendulum(mass1: 1.3, mass2: 0.7, length1: 0.9, length2: 1.6, gravity: 9.81)
  }

  /// `[f(q + δeⱼ) − f(q − δeⱼ)] / 2δ`, entry by entry.
  func centralDifference(_ f: ([Double]) -> [Double], at q: [Double], coordinate j: Int)
    -> [Double]
  {
    var plus = q
    var minus = q
    plus[j] += delta
    minus[j] -= delta
    return zip(f(plus), f(minus)).map { ($0 - $1) / (2 * delta) }
  }

  @Test("∇V against central differences of V")
  func gradient() {
    for q in points {
      let gradient = system.potentialGradient(at: q)
      for j in 0..<2 {
        let fd = centralDifference({ [system.potential(at: $0)] }, at: q, coordinate: j)[0]
        #expect(abs(gradient[j] - fd) < 1e-8, "q \(q), j \(j): \(gradient[j]) vs \(fd)")
      }
    }
  }

  @Test("∇²V against central differences of ∇V, and against the generic finite-difference one")
  func hessian() {
    for q in points {
      let hessian = system.potentialHessian(at: q)
      for j in 0..<2 {
        let fd = centralDifference({ system.potentialGradient(at: $0) }, at: q, coordinate: j)
        for i in 0..<2 {
          #expect(abs(hessian[i, j] - fd[i]) < 1e-8, "q \(q), (\(i), \(j))")
        }
      }
      let generic = system.finiteDifferencePotentialHessian(at: q)
      #expect(maxDifference(hessian.storage, generic.storage) < 1e-8, "q \(q)")
    }
  }

  @Test("∂M/∂qⁱ against central differences of M")
  func massMatrixDerivative() {
    for q in points {
      for i in 0..<2 {
        let analytic = system.massMatrixDerivative(at: q, coordinate: i)
        let fd = centralDifference({ system.massMatrix(at: $0).storage }, at: q, coordinate: i)
        #expect(maxDifference(analytic.storage, fd) < 1e-9, "q \(q), i \(i)")
      }
    }
  }

  @Test("∂²M/∂qⁱ∂qʲ against central differences of ∂M/∂qⁱ, and the generic one")
  func massMatrixSecondDerivative() {
    for q in points {
      for i in 0..<2 {
        for j in 0..<2 {
          let analytic = system.massMatrixSecondDerivative(at: q, coordinates: i, j)
          let fd = centralDifference(
            { system.massMatrixDerivative(at: $0, coordinate: i).storage }, at: q, coordinate: j)
          #expect(maxDifference(analytic.storage, fd) < 1e-9, "q \(q), (\(i), \(j))")
          let generic = system.finiteDifferenceMassMatrixSecondDerivative(
            at: q, coordinates: i, j)
          #expect(maxDifference(analytic.storage, generic.storage) < 1e-9)
        }
      }
    }
  }

  @Test("lagrangianDerivatives (one sine and cosine per angle) equals the separate requirements")
  func lagrangianDerivatives() throws {
    for q in points {
      let v = [0.7, -1.3]
      var derivatives = LagrangianDerivatives(dimension: 2)
      system.lagrangianDerivatives(at: q, velocity: v, secondOrder: true, into: &derivatives)
      #expect(derivatives.mass == system.massMatrix(at: q))
      #expect(derivatives.potentialGradient == system.potentialGradient(at: q))
      #expect(derivatives.potentialHessian == system.potentialHessian(at: q))
      for k in 0..<2 {
        let dM = system.massMatrixDerivative(at: q, coordinate: k)
        for i in 0..<2 {
          let product = dM[i, 0] * v[0] + dM[i, 1] * v[1]
          #expect(abs(derivatives.massDerivativeProducts[k, i] - product) <= 1e-15 * abs(product))
        }
        for j in 0..<2 {
          let d2M = system.massMatrixSecondDerivative(at: q, coordinates: k, j)
          let form = v[0] * (d2M[0, 1] * v[1]) + v[1] * (d2M[1, 0] * v[0])
          let value = derivatives.massSecondDerivativeForms[k, j]
          #expect(abs(value - form) <= 1e-15 * abs(form), "q \(q), (\(k), \(j))")
        }
      }
    }
  }

  @Test("M(q) is symmetric with det M = m₂ l₁² l₂² (m₁ + m₂ sin²(θ₁ − θ₂)) > 0")
  func massMatrix() {
    for q in points {
      let m = system.massMatrix(at: q)
      #expect(m[0, 1] == m[1, 0])
      let determinant = m[0, 0] * m[1, 1] - m[0, 1] * m[1, 0]
      let s = sin(q[0] - q[1])
      let expected = 0.7 * 0.81 * 2.56 * (1.3 + 0.7 * s * s)
      #expect(abs(determinant - expected) < 1e-12, "q \(q)")
      #expect(m[0, 0] > 0 && determinant > 0)
    }
  }

  @Test("the into: forms overwrite a used matrix and reshape a wrong-sized one")
  func intoForms() throws {
    let used = try Matrix(rows: 2, columns: 2, storage: [.nan, .nan, .nan, .nan])
    let wrongSize = Matrix.zeros(rows: 3, columns: 1)
    for q in points {
      for start in [used, wrongSize] {
        var m = start
        system.massMatrix(at: q, into: &m)
        #expect(m == system.massMatrix(at: q), "q \(q)")
        m = start
        system.potentialHessian(at: q, into: &m)
        #expect(m == system.potentialHessian(at: q), "q \(q)")
        for i in 0..<2 {
          m = start
          system.massMatrixDerivative(at: q, coordinate: i, into: &m)
          #expect(m == system.massMatrixDerivative(at: q, coordinate: i), "q \(q), i \(i)")
          for j in 0..<2 {
            m = start
            system.massMatrixSecondDerivative(at: q, coordinates: i, j, into: &m)
            #expect(m == system.massMatrixSecondDerivative(at: q, coordinates: i, j))
          }
        }
      }
    }
    // One entry of each written form against its formula, so that the pair cannot agree on a
    // wrong value: M₀₁ = m₂ l₁ l₂ cos δ, (∂M/∂θ₁)₀₁ = −m₂ l₁ l₂ sin δ.
    var m = used
    system.massMatrix(at: [0.5, 1.0], into: &m)
    #expect(abs(m[0, 1] - 0.7 * 0.9 * 1.6 * cos(-0.5)) < 1e-15)
    system.massMatrixDerivative(at: [0.5, 1.0], coordinate: 0, into: &m)
    #expect(abs(m[1, 0] + 0.7 * 0.9 * 1.6 * sin(-0.5)) < 1e-15 && m[0, 0] == 0)
  }

  @Test("the energy at rest in the downward position is −(m₁ + m₂) g l₁ − m₂ g l₂")
  func restEnergy() throws {
    let state = try system.state(position: [0, 0], velocity: [0, 0])
    #expect(abs(system.energy(state) - (-(2.0 * 9.81 * 0.9) - 0.7 * 9.81 * 1.6)) < 1e-12)
  }

  @Test(
    "invalid parameters are rejected, naming the parameter",
    arguments: [
      ("m1", -1.0), ("m2", 0.0), ("l1", Double.nan), ("l2", Double.infinity), ("g", Double.nan),
    ])
  func invalidParameters(name: String, value: Double) {
    do {
      _ = try DoublePendulum(
        mass1: name == "m1" ? value : 1, mass2: name == "m2" ? value : 1,
        length1: name == "l1" ? value : 1, length2: name == "l2" ? value : 1,
        gravity: name == "g" ? value : 9.81)
      Issue.record("\(name) = \(value) was accepted")
    } catch {
      guard case .invalidParameter(let reported, _, _) = error else {
        Issue.record("unexpected \(error)")
        return
      }
      #expect(reported == name)
    }
  }
}
