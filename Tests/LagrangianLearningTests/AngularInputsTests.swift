import DiscreteMechanics
import Foundation
import LagrangianLearning
import Testing
import _Differentiation

@Suite("Angles as inputs: the angular MLP potential and the angular baselines")
struct AngularInputsTests {
  static func potential(seed: UInt64) throws -> AngularMLPPotential {
    var generator = SeededGenerator(seed: seed)
    return try AngularMLPPotential(
      dimension: 2, width: 9, depth: 2, activation: .tanh, generator: &generator)
  }

  @Test("∇V against central differences of V; V and ∇V are 2π-periodic in every angle")
  func gradientAndPeriodicity() throws {
    let potential = try Self.potential(seed: 3)
    let q = [0.7, -2.9]
    let error = relativeError(
      potential.gradient(at: q), centralDifference(q) { potential.energy(at: $0) })
    print("angular MLP ∇V relative error \(error)")
    #expect(error < 1e-8)
    for shifted in [[q[0] + 2 * Double.pi, q[1]], [q[0], q[1] - 4 * Double.pi]] {
      #expect(abs(potential.energy(at: shifted) - potential.energy(at: q)) < 1e-12)
      #expect(relativeError(potential.gradient(at: shifted), potential.gradient(at: q)) < 1e-12)
    }
  }

  @Test("the pullback of (θ, q) ↦ ∇V_θ(q) against central differences")
  func gradientPullback() throws {
    let potential = try Self.potential(seed: 5)
    let error = potentialGradientPullbackError(potential, at: [0.4, 2.2])
    print("angular MLP ∇V pullback relative error \(error)")
    #expect(error < 1e-6)
  }

  @Test("VIN-VV with an angular potential and the angular ResNet: rollout gradients")
  func rolloutGradients() throws {
    var generator = SeededGenerator(seed: 8)
    var mass = ConstantMassMatrix(dimension: 2)
    mass.flatParameters = [0.3, -0.2, 0.5]
    let vin = try VINVelocityVerlet(
      potential: Self.potential(seed: 9), mass: mass, stepSize: 0.1)
    let resnet = try BaselineModel(
      architecture: .residual, dimension: 2, width: 8, depth: 1, activation: .tanh,
      stepSize: 0.1, angularPositions: true, generator: &generator)
    // Two windows rolled out together, as in training.
    let x0 = [0.5, -1.1, 0.3, 0.8, 2.6, 0.1, -0.4, 0.2]
    let vinError = rolloutGradientError(vin, x0, steps: 6)
    let resnetError = rolloutGradientError(resnet, x0, steps: 6)
    print("angular VIN-VV \(vinError), angular ResNet \(resnetError)")
    #expect(vinError < 1e-6)
    #expect(resnetError < 1e-6)
  }

  @Test("an angular ResNet's forecast from q + 2π is its forecast from q, shifted by 2π")
  func baselinePeriodicity() throws {
    var generator = SeededGenerator(seed: 10)
    let resnet = try BaselineModel(
      architecture: .residual, dimension: 1, width: 8, depth: 1, activation: .tanh,
      stepSize: 0.1, angularPositions: true, generator: &generator)
    let a = try resnet.forecast(position: [0.9], velocity: [0.4], steps: 30)
    let b = try resnet.forecast(position: [0.9 + 2 * Double.pi], velocity: [0.4], steps: 30)
    for k in 0...30 {
      #expect(abs(b.positions[k][0] - 2 * Double.pi - a.positions[k][0]) < 1e-12)
      #expect(abs(b.velocities[k][0] - a.velocities[k][0]) < 1e-12)
    }
  }
}
