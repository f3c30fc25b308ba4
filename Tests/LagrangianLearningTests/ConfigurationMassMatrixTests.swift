import DiscreteMechanics
import Foundation
import Manifolds
import Testing

@testable import LagrangianLearning

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

  /// `M(q) = LLᵀ + εI` computed plainly from the parameters (the C library's tanh), the
  /// reference for the network's own passes.
  static func plainMass(_ mass: ConfigurationMassMatrix, at q: [Double]) -> [Double] {
    let (n, width) = (mass.dimension, mass.width)
    let m = n * (n + 1) / 2
    let p = mass.parameters
    let hidden = (0..<width).map { h in
      let z = p[width * n + h] + (0..<n).reduce(0.0) { $0 + p[h * n + $1] * q[$1] }
      return mass.activation == .tanh ? tanh(z) : Activation.softplus(z)
    }
    let w2 = width * (n + 1)
    let outputs = (0..<m).map { t in
      p[w2 + m * width + t] + (0..<width).reduce(0.0) { $0 + p[w2 + t * width + $1] * hidden[$1] }
    }
    var l = [Double](repeating: 0, count: n * n)
    for i in 0..<n {
      l[i * n + i] = Activation.softplus(outputs[i])
      for j in 0..<i { l[i * n + j] = outputs[n + i * (i - 1) / 2 + j] }
    }
    return (0..<(n * n)).map { e in
      let (i, j) = (e / n, e % n)
      return (i == j ? mass.epsilon : 0)
        + (0..<n).reduce(0.0) { $0 + l[i * n + $1] * l[j * n + $1] }
    }
  }

  @Test(
    "the network's passes: M against a plain evaluation for any width, (∂M/∂qᵏ)v against ∂M/∂qᵏ, vᵀ∂²Mv against central differences",
    arguments: [(2, 5, Activation.tanh), (2, 8, .tanh), (3, 13, .tanh), (2, 7, .softplus)])
  func batchedPasses(dimension n: Int, width: Int, activation: Activation) throws {
    var generator = SeededGenerator(seed: UInt64(10 * n + width))
    var mass = try ConfigurationMassMatrix(
      dimension: n, width: width, activation: activation, generator: &generator)
    for i in mass.parameters.indices {
      mass.parameters[i] += generator.nextNormal(standardDeviation: 0.5)
    }
    let network = ConfigurationMassNetwork(mass)
    let batch = 3
    let points = (0..<(batch * n)).map { _ in 2 * generator.nextUniform() - 1 }
    let velocities = (0..<(batch * n)).map { _ in 2 * generator.nextUniform() - 1 }
    /// M, the (∂M/∂qᵏ)v and vᵀ∂²Mv of the batched pass at `points`.
    func evaluate(_ points: [Double]) -> (mass: [Double], products: [Double], curvature: [Double]) {
      var results = [Double](repeating: .nan, count: 3 * batch * n * n + network.scratchCount)
      results.withUnsafeMutableBufferPointer { r in
        let base = r.baseAddress!
        let block = batch * n * n
        network.evaluate(
          at: points, velocities: velocities, batch: batch, mass: base,
          derivativeProducts: base + block, velocityCurvature: base + 2 * block,
          scratch: base + 3 * block)
      }
      let block = batch * n * n
      return (
        Array(results[..<block]), Array(results[block..<(2 * block)]),
        Array(results[(2 * block)..<(3 * block)])
      )
    }
    let batched = evaluate(points)
    var worst = (mass: 0.0, products: 0.0, curvature: 0.0)
    for b in 0..<batch {
      let q = Array(points[(b * n)..<((b + 1) * n)])
      let v = Array(velocities[(b * n)..<((b + 1) * n)])
      let block = Array(batched.mass[(b * n * n)..<((b + 1) * n * n)])
      worst.mass = max(worst.mass, relativeError(block, Self.plainMass(mass, at: q)))
      let single = network.matrices(at: q)
      for k in 0..<n {
        let d = Array(single.derivatives[(k * n * n)..<((k + 1) * n * n)])
        let dv = (0..<n).map { i in (0..<n).reduce(0.0) { $0 + d[i * n + $1] * v[$1] } }
        let u = Array(batched.products[(b * n * n + k * n)..<(b * n * n + (k + 1) * n)])
        worst.products = max(worst.products, relativeError(u, dv))
      }
      // Sᵢⱼ = ∂(vᵀ uᵢ)/∂qʲ with v fixed.
      var numeric = [Double](repeating: 0, count: n * n)
      for j in 0..<n {
        var plus = points
        var minus = points
        plus[b * n + j] += 1e-5
        minus[b * n + j] -= 1e-5
        let (up, um) = (evaluate(plus).products, evaluate(minus).products)
        for i in 0..<n {
          let row = b * n * n + i * n
          let difference = (0..<n).reduce(0.0) { $0 + v[$1] * (up[row + $1] - um[row + $1]) }
          numeric[i * n + j] = difference / 2e-5
        }
      }
      let analytic = Array(batched.curvature[(b * n * n)..<((b + 1) * n * n)])
      worst.curvature = max(worst.curvature, relativeError(analytic, numeric))
    }
    print("mass network n = \(n), width \(width), \(activation): \(worst)")
    #expect(worst.mass < 1e-14)
    #expect(worst.products < 1e-14)
    #expect(worst.curvature < 1e-8)
  }
}
