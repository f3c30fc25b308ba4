import DiscreteMechanics
import Foundation
import LagrangianLearning
import Manifolds
import Testing

@Suite("Configuration-dependent mass matrix")
struct ConfigurationMassMatrixTests {
  static func randomised(seed: UInt64) throws -> ConfigurationMassMatrix {
    var generator = SeededGenerator(seed: seed)
    var mass = try ConfigurationMassMatrix(dimension: 2, width: 5, generator: &generator)
    for i in mass.parameters.indices {
      mass.parameters[i] += generator.nextNormal(standardDeviation: 0.5)
    }
    return mass
  }

  @Test("starts at M(q) = I and stays symmetric positive definite")
  func initialValue() throws {
    var generator = SeededGenerator(seed: 1)
    let mass = try ConfigurationMassMatrix(dimension: 2, width: 5, generator: &generator)
    let m = mass.matrix(at: [0.3, -1.2])
    #expect(relativeError(m.storage, Matrix.identity(2).storage) < 1e-14)
    let randomised = try Self.randomised(seed: 2)
    for q in [[0.1, 0.2], [2.0, -1.0], [-3.0, 0.5]] {
      let m = randomised.matrix(at: q)
      #expect(m[0, 1] == m[1, 0])
      #expect(m[0, 0] > 0 && m[0, 0] * m[1, 1] - m[0, 1] * m[1, 0] > 0)
    }
  }

  @Test("∂M/∂qᵏ matches central differences")
  func derivative() throws {
    let mass = try Self.randomised(seed: 3)
    let q = [0.4, -0.7]
    var worst = 0.0
    for k in 0..<2 {
      let analytic = mass.derivative(at: q, coordinate: k).storage
      var plus = q
      var minus = q
      plus[k] += 1e-6
      minus[k] -= 1e-6
      let numeric = zip(mass.matrix(at: plus).storage, mass.matrix(at: minus).storage).map {
        ($0 - $1) / 2e-6
      }
      worst = max(worst, relativeError(analytic, numeric))
    }
    print("∂M/∂q relative error \(worst)")
    #expect(worst < 1e-8)
  }

  @Test("VariationalMidpoint steps the learned system and conserves its energy")
  func midpointForward() throws {
    var generator = SeededGenerator(seed: 4)
    let potential = try MLPPotential(
      dimension: 2, width: 8, depth: 1, activation: .tanh, generator: &generator)
    let system = try LearnedMassSystem(potential: potential, mass: Self.randomised(seed: 5))
    var integrator = try VariationalMidpoint(system: system, stepSize: 0.05)
    let trajectory = try integrator.integrate(
      from: PhaseState(q: [0.3, -0.2], p: [0.5, 0.1]), steps: 400)
    let energies = trajectory.states.map { state in
      0.5
        * zip(state.p, system.massMatrix(at: state.q).solve(state.p) ?? [.nan, .nan])
        .reduce(0) { $0 + $1.0 * $1.1 } + system.potential(at: state.q)
    }
    let drift = energies.map { abs($0 - energies[0]) }.max() ?? .nan
    print("learned M(q) midpoint: max energy error \(drift) over 400 steps, E0 \(energies[0])")
    #expect(drift < 1e-2 * max(1, abs(energies[0])))
  }
}
