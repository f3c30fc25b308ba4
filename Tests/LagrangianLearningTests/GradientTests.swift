import DiscreteMechanics
import LagrangianLearning
import Testing
import _Differentiation

@Suite("Gradients against central finite differences")
struct GradientTests {
  static func smallNetwork(_ activation: Activation, dimension: Int, seed: UInt64) throws
    -> MLPPotential
  {
    var generator = SeededGenerator(seed: seed)
    return try MLPPotential(
      dimension: dimension, width: 6, depth: 2, activation: activation, generator: &generator)
  }

  @Test("MLP potential: the pullback of (θ, q) ↦ ∇_qV_θ(q)", arguments: Activation.allCases)
  func potentialGradientPullback(activation: Activation) throws {
    let potential = try Self.smallNetwork(activation, dimension: 2, seed: 7)
    let error = potentialGradientPullbackError(potential, at: [0.4, -0.7])
    print("MLP(\(activation)) ∇V pullback relative error \(error)")
    #expect(error < 1e-6)
  }

  @Test("MLP potential: the energy's pullback and ParameterVector.slice")
  func energyPullback() throws {
    let potential = try Self.smallNetwork(.softplus, dimension: 2, seed: 13)
    let q = [0.3, 0.9]
    let (_, gradients) = valueWithGradient(at: potential, q) { potential, q in
      potential.energy(at: q) * potential.network.parameters.slice(from: 2, count: 2)[1]
    }
    let analytic = potential.flatten(gradients.0) + gradients.1.base
    let p = potential.parameterCount
    let numeric = centralDifference(potential.flatParameters + q) { values in
      var perturbed = potential
      perturbed.flatParameters = Array(values[..<p])
      return perturbed.energy(at: Array(values[p...])) * values[3]
    }
    #expect(relativeError(analytic, numeric) < 1e-6)
  }

  @Test("MLP potential: ∇_qV is the gradient of V", arguments: Activation.allCases)
  func inputGradientMatchesEnergy(activation: Activation) throws {
    let potential = try Self.smallNetwork(activation, dimension: 3, seed: 3)
    let q = [0.2, -0.1, 0.5]
    let numeric = centralDifference(q) { potential.energy(at: $0) }
    let error = relativeError(potential.gradient(at: q), numeric)
    #expect(error < 1e-8)
  }

  @Test("VIN-VV rollout: MLP potential, learned constant mass (n = 2)")
  func vinVelocityVerlet() throws {
    var mass = ConstantMassMatrix(dimension: 2)
    mass.flatParameters = [0.3, 0.8, 0.2]
    let model = try VINVelocityVerlet(
      potential: Self.smallNetwork(.tanh, dimension: 2, seed: 11), mass: mass, stepSize: 0.1)
    let error = rolloutGradientError(model, [0.3, -0.2, 0.5, 0.1], steps: 6)
    print("VIN-VV gradient relative error \(error)")
    #expect(error < 1e-6)
  }

  @Test("VIN-VV rollout: quadratic and cosine potentials, identity and learned mass")
  func vinVelocityVerletPhysical() throws {
    let quadratic = try VINVelocityVerlet(
      potential: QuadraticPotential(dimension: 1, stiffness: 2.5),
      mass: ConstantMassMatrix(dimension: 1), stepSize: 0.1)
    let cosine = try VINVelocityVerlet(
      potential: CosinePotential(dimension: 1, amplitude: 9.81),
      mass: IdentityMassMatrix(dimension: 1), stepSize: 0.1)
    let e1 = rolloutGradientError(quadratic, [1.0, 0.3], steps: 10)
    let e2 = rolloutGradientError(cosine, [2.0, -0.5], steps: 10)
    print("VIN-VV quadratic \(e1), cosine \(e2)")
    #expect(e1 < 1e-6)
    #expect(e2 < 1e-6)
  }

  @Test("VIN-SV rollout: MLP potential, learned constant mass (n = 2)")
  func vinStormerVerlet() throws {
    var mass = ConstantMassMatrix(dimension: 2)
    mass.flatParameters = [0.1, -0.4, 0.3]
    let model = try VINStormerVerlet(
      potential: Self.smallNetwork(.softplus, dimension: 2, seed: 5), mass: mass, stepSize: 0.1)
    let error = rolloutGradientError(model, [0.3, -0.2, 0.35, -0.15], steps: 7)
    print("VIN-SV gradient relative error \(error)")
    #expect(error < 1e-6)
  }

  @Test(
    "Baselines: residual network and feed-forward",
    arguments: [
      BaselineModel.Architecture.residual, .feedForward,
    ])
  func baselines(architecture: BaselineModel.Architecture) throws {
    var generator = SeededGenerator(seed: 2)
    let model = try BaselineModel(
      architecture: architecture, dimension: 1, width: 8, depth: 2, activation: .tanh,
      stepSize: 0.1, generator: &generator)
    let error = rolloutGradientError(model, [0.4, -0.3], steps: 5)
    print("\(architecture) gradient relative error \(error)")
    #expect(error < 1e-6)
  }
}

@Suite("Batched rollouts")
struct BatchedRolloutTests {
  static func models() throws -> [any RolloutModel] {
    var generator = SeededGenerator(seed: 8)
    var mass = ConstantMassMatrix(dimension: 2)
    mass.flatParameters = [0.3, 0.8, 0.2]
    return [
      try VINVelocityVerlet(
        potential: MLPPotential(
          dimension: 2, width: 6, depth: 2, activation: .tanh, generator: &generator),
        mass: mass, stepSize: 0.1),
      try VINStormerVerlet(
        potential: MLPPotential(
          dimension: 2, width: 6, depth: 2, activation: .softplus, generator: &generator),
        mass: mass, stepSize: 0.1),
      try VINVelocityVerlet(
        potential: CosinePotential(dimension: 2, amplitude: 3),
        mass: IdentityMassMatrix(dimension: 2), stepSize: 0.1),
      try BaselineModel(
        architecture: .residual, dimension: 2, width: 6, depth: 2, activation: .tanh,
        stepSize: 0.1, generator: &generator),
      try BaselineModel(
        architecture: .feedForward, dimension: 2, width: 6, depth: 1, activation: .tanh,
        stepSize: 0.1, generator: &generator),
    ]
  }

  static let states: [[Double]] = [
    [0.3, -0.2, 0.5, 0.1], [-0.4, 0.6, 0.1, -0.3], [1.1, 0.2, -0.2, 0.4],
  ]

  @Test("a batch of windows rolls out exactly as the windows one by one")
  func batchEqualsSingles() throws {
    for model in try Self.models() {
      let batch = model.rollout(from: Self.states.flatMap { $0 }, steps: 6)
      let singles = Self.states.flatMap { model.rollout(from: $0, steps: 6) }
      #expect(relativeError(batch, singles) < 1e-14, "\(model.kind)")
    }
  }

  @Test("the batched rollout gradient matches finite differences")
  func batchGradients() throws {
    for model in try Self.models() {
      let error = rolloutGradientError(model, Self.states.flatMap { $0 }, steps: 6)
      print("\(model.kind) batched gradient relative error \(error)")
      #expect(error < 1e-6, "\(model.kind)")
    }
  }
}
