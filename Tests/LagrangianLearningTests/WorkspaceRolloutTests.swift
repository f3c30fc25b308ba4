import DiscreteMechanics
import Manifolds
import Testing
import _Differentiation

@testable import LagrangianLearning

@Suite("Batched rollouts: StormerVerlet's arithmetic, the fused kernels, workspace reuse")
struct WorkspaceRolloutTests {
  static func network(dimension: Int, width: Int, depth: Int, seed: UInt64) throws
    -> MultilayerPerceptron
  {
    var generator = SeededGenerator(seed: seed)
    return try MLPPotential(
      dimension: dimension, width: width, depth: depth, activation: .tanh, generator: &generator
    ).network
  }

  @Test("VIN-VV's batched rollout is DiscreteMechanics' StormerVerlet on the LearnedSystem")
  func rolloutIsStormerVerlet() throws {
    var mass = ConstantMassMatrix(dimension: 2)
    mass.flatParameters = [0.3, 0.8, 0.2]
    for depth in [1, 2] {
      let potential = try MLPPotential(
        network: WorkspaceRolloutTests.network(
          dimension: 2, width: 37, depth: depth, seed: UInt64(depth)))
      let model = try VINVelocityVerlet(potential: potential, mass: mass, stepSize: 0.1)
      let evaluation = MassEvaluation(mass)
      let system = LearnedSystem(potential: potential, mass: evaluation.mass)
      let starts: [[Double]] = [[0.3, -0.2, 0.5, 0.1], [-0.7, 0.4, -0.1, 0.6]]
      let steps = 25
      let rollout = model.rollout(
        from: starts.flatMap { $0 }, steps: steps, workspace: RolloutWorkspace())
      for (b, start) in starts.enumerated() {
        let q0 = Array(start[..<2])
        let v0 = Array(start[2...])
        var integrator = try StormerVerlet(system: system, stepSize: 0.1)
        let reference = try integrator.integrate(
          from: PhaseState(q: q0, p: evaluation.mass * v0), steps: steps)
        let expected = reference.states.flatMap { $0.q + evaluation.inverse * $0.p }
        let window = Array(rollout[(b * (steps + 1) * 4)..<((b + 1) * (steps + 1) * 4)])
        #expect(relativeError(window, expected) < 1e-13, "depth \(depth), window \(b)")
        let forecast = try model.forecast(position: q0, velocity: v0, steps: steps)
        #expect(
          relativeError(forecast.positions.flatMap { $0 }, reference.states.flatMap(\.q))
            < 1e-13)
      }
    }
  }

  @Test("the fused one-hidden-layer passes agree with the layered passes")
  func fusedEqualsLayered() throws {
    for n in [1, 2, 5] {
      let network = try WorkspaceRolloutTests.network(
        dimension: n, width: 43, depth: 1, seed: UInt64(10 + n))
      #expect(network.isShallow)
      var generator = SeededGenerator(seed: 3)
      let batch = 5
      let points = (0..<(batch * n)).map { _ in 2 * generator.nextUniform() - 1 }
      let cotangents = (0..<(batch * n)).map { _ in 2 * generator.nextUniform() - 1 }
      let layered = network.inputGradient(points, batch: batch)
      var layeredGradient = Array(repeating: 0.0, count: network.parameterCount)
      let layeredProducts = network.accumulateInputGradientPullback(
        layered, cotangent: cotangents, into: &layeredGradient)
      let workspace = RolloutWorkspace()
      var fused = Array(repeating: 0.0, count: batch * n)
      var fusedProducts = Array(repeating: 0.0, count: batch * n)
      var fusedGradient = Array(repeating: 0.0, count: network.parameterCount)
      // Twice in one workspace: the second pass must not see the first one's numbers.
      for _ in 0..<2 {
        fusedGradient = Array(repeating: 0.0, count: network.parameterCount)
        network.inputGradient(points, batch: batch, into: &fused, workspace: workspace)
        points.withUnsafeBufferPointer { x in
          cotangents.withUnsafeBufferPointer { c in
            fusedGradient.withUnsafeMutableBufferPointer { g in
              fusedProducts.withUnsafeMutableBufferPointer { h in
                network.accumulateInputGradientPullback(
                  x.baseAddress!, batch: batch, cotangent: c.baseAddress!, into: g.baseAddress!,
                  hessianProduct: h.baseAddress!, workspace: workspace)
              }
            }
          }
        }
      }
      #expect(relativeError(fused, layered.gradient) < 1e-14, "n = \(n)")
      #expect(relativeError(fusedProducts, layeredProducts) < 1e-13, "n = \(n)")
      #expect(relativeError(fusedGradient, layeredGradient) < 1e-13, "n = \(n)")
    }
  }

  @Test("a workspace reused across rollouts of different sizes gives fresh-workspace numbers")
  func workspaceReuse() throws {
    let potential = try MLPPotential(
      network: WorkspaceRolloutTests.network(dimension: 1, width: 50, depth: 1, seed: 4))
    let model = try VINVelocityVerlet(
      potential: potential, mass: IdentityMassMatrix(dimension: 1), stepSize: 0.1)
    let shared = RolloutWorkspace()
    for (batch, steps) in [(3, 10), (7, 4), (2, 15)] {
      let initial = (0..<(2 * batch)).map { 0.1 * Double($0) - 0.3 }
      let (value, gradient) = valueWithGradient(at: model, initial) { model, initial in
        probeLoss(model.rollout(from: initial, steps: steps, workspace: shared))
      }
      let (freshValue, freshGradient) = valueWithGradient(at: model, initial) { model, initial in
        probeLoss(model.rollout(from: initial, steps: steps))
      }
      #expect(value == freshValue)
      #expect(model.flatten(gradient.0) == model.flatten(freshGradient.0))
      #expect(gradient.1 == freshGradient.1)
    }
  }

  /// VIN-SO(2) (`SO2Rollout`) in one workspace through rollouts of growing and shrinking
  /// sizes, down to the one- and zero-step rollouts: values and gradients are those of a fresh
  /// workspace, bit for bit.
  @Test("VIN-SO(2): a reused workspace gives fresh-workspace values and gradients")
  func so2WorkspaceReuse() throws {
    var generator = SeededGenerator(seed: 5)
    let model = try VINSO2(
      potential: AngularMLPPotential(
        dimension: 1, width: 16, depth: 1, activation: .tanh, generator: &generator),
      mass: ConstantMassMatrix(dimension: 1, parameters: [0.1]), stepSize: 0.1)
    let shared = RolloutWorkspace()
    for (batch, steps) in [(5, 12), (2, 20), (7, 3), (3, 1), (4, 0), (6, 15)] {
      let initial = (0..<(2 * batch)).map { (i: Int) -> Double in
        0.37 * Double(i / 2) - 1.1 + 0.06 * Double(i % 2)
      }
      let (value, gradient) = valueWithGradient(at: model, initial) { model, initial in
        probeLoss(model.rollout(from: initial, steps: steps, workspace: shared))
      }
      let (freshValue, freshGradient) = valueWithGradient(at: model, initial) { model, initial in
        probeLoss(model.rollout(from: initial, steps: steps))
      }
      #expect(value == freshValue, "B = \(batch), K = \(steps)")
      #expect(model.flatten(gradient.0) == model.flatten(freshGradient.0))
      #expect(gradient.1 == freshGradient.1)
    }
  }
}

extension MultilayerPerceptron {
  /// The buffer form of the input gradient on arrays, for tests.
  func inputGradient(
    _ points: [Double], batch: Int, into gradient: inout [Double], workspace: RolloutWorkspace
  ) {
    points.withUnsafeBufferPointer { x in
      gradient.withUnsafeMutableBufferPointer { g in
        inputGradient(x.baseAddress!, batch: batch, into: g.baseAddress!, workspace: workspace)
      }
    }
  }
}
