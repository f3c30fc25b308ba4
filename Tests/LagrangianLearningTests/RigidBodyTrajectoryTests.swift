import DiscreteMechanics
import Manifolds
import Testing

@testable import LagrangianLearning

/// Rigid-body observations: the SO(3) CSV layout and the models that take it.
@Suite("Rigid-body trajectories")
struct RigidBodyTrajectoryTests {
  @Test("the SO(3) CSV layout reads back the attitudes and angular velocities")
  func readsTheSO3Layout() throws {
    let attitudes = [Vector3(0.3, -0.2, 0.9), Vector3(-1.1, 0.4, 0.2)].map(SO3.exp)
    let velocities = [Vector3(0.5, -1, 2), Vector3(0, 0.3, -0.7)]
    let header = "t,R11,R12,R13,R21,R22,R23,R31,R32,R33,w1,w2,w3,energy\n"
    let rows = (0..<2).map { k in
      ([Double(k) * 0.1] + attitudes[k].matrix.entries + velocities[k].components + [7])
        .map { "\($0)" }.joined(separator: ",") + "\n"
    }
    let trajectory = try ObservedTrajectory(csv: header + rows.joined())
    #expect(trajectory.layout == .rigidBody)
    #expect(trajectory.times == [0, 0.1])
    #expect(trajectory.attitudes?.map(\.matrix) == attitudes.map(\.matrix))
    #expect(trajectory.angularVelocities == velocities)
    // The row the models see is (R11…R33, Ω).
    #expect(
      trajectory.observation(1, withVelocities: true)
        == attitudes[1].matrix.entries + velocities[1].components)
    let built = try ObservedTrajectory(
      times: [0, 0.1], attitudes: attitudes, angularVelocities: velocities)
    #expect(built == trajectory)
  }

  @Test("a rigid-body trajectory has dimension 3, its (R, Ω) as its state, and no q columns")
  func rigidBodyTrajectoryIsTyped() throws {
    let attitudes = [Vector3(0.3, -0.2, 0.9), Vector3(-1.1, 0.4, 0.2)].map(SO3.exp)
    let velocities = [Vector3(0.5, -1, 2), Vector3(0, 0.3, -0.7)]
    let trajectory = try ObservedTrajectory(
      times: [0, 0.1], attitudes: attitudes, angularVelocities: velocities)
    #expect(trajectory.dimension == 3)
    #expect(trajectory.hasVelocities)
    #expect(trajectory.positions == nil && trajectory.velocities == nil)
    #expect(
      trajectory.state(at: 1) == .rigidBody(attitude: attitudes[1], angularVelocity: velocities[1]))
    let bad = SO3(uncheckedMatrix: Matrix3(1, 0, 0, 0, .infinity, 0, 0, 0, 1))
    #expect(throws: LearningError.nonFiniteObservation(trajectory: 0, sample: 1, value: .infinity))
    {
      try ObservedTrajectory(
        times: [0, 0.1], attitudes: [.identity, bad], angularVelocities: velocities)
    }
    let coordinates = try ObservedTrajectory(times: [0], positions: [[1, 2]])
    #expect(coordinates.attitudes == nil && coordinates.state(at: 0) == nil)
  }

  @Test(
    "models learn from the layout of their state space: VIN-SO(3) and rigid-body baselines (R, Ω), the others coordinates"
  )
  func layoutsOfTheModels() throws {
    var generator = SeededGenerator(seed: 1)
    let rigid = try ObservedTrajectory(
      times: [0, 0.1, 0.2], attitudes: Array(repeating: .identity, count: 3),
      angularVelocities: Array(repeating: Vector3(0.1, 0.2, 0.3), count: 3))
    let flat = try ObservedTrajectory(
      times: [0, 0.1, 0.2], positions: Array(repeating: Array(repeating: 0.5, count: 3), count: 3),
      velocities: Array(repeating: Array(repeating: 0.1, count: 3), count: 3))
    let so3 = try VINSO3(stepSize: 0.1)
    #expect(so3.configurationDimension == 3 && so3.observationDimension == 12)
    let vv = try VINVelocityVerlet(
      potential: QuadraticPotential(dimension: 3, stiffness: 1),
      mass: IdentityMassMatrix(dimension: 3), stepSize: 0.1)
    let resnet = try BaselineModel(
      architecture: .residual, dimension: 3, width: 4, depth: 1, activation: .tanh,
      stepSize: 0.1, generator: &generator)
    let rigidResNet = try BaselineModel(
      architecture: .residual, dimension: 3, width: 4, depth: 1, activation: .tanh,
      stepSize: 0.1, layout: .rigidBody, generator: &generator)
    #expect(rigidResNet.configurationDimension == 3 && rigidResNet.observationDimension == 12)
    #expect(resnet.observationDimension == 6)
    for (model, takes, refuses) in [
      (so3 as any RolloutModel, rigid, flat), (vv, flat, rigid), (resnet, flat, rigid),
      (rigidResNet, rigid, flat),
    ] {
      let windows = try TrainingWindow.all(of: [takes], for: model, horizon: 2)
      #expect(windows.count == 1)
      #expect(windows[0].observations.count == 3 * model.observationDimension)
      #expect(throws: LearningError.self) {
        try TrainingWindow.all(of: [refuses], for: model, horizon: 2)
      }
    }
    // The windows hold the rows (R11…R33, Ω) as they are.
    let rows = try TrainingWindow.all(of: [rigid], for: so3, horizon: 2)[0].observations
    #expect(
      rows
        == Array(repeating: SO3.identity.matrix.entries + [0.1, 0.2, 0.3], count: 3).flatMap { $0 })
  }

  @Test("a model refuses to forecast from a state of another state space, naming it")
  func forecastsRefuseTheOtherStateSpace() throws {
    var generator = SeededGenerator(seed: 3)
    let so3 = try VINSO3(stepSize: 0.1)
    let rigidResNet = try BaselineModel(
      architecture: .residual, dimension: 3, width: 4, depth: 1, activation: .tanh,
      stepSize: 0.1, layout: .rigidBody, generator: &generator)
    let vv = try VINVelocityVerlet(
      potential: QuadraticPotential(dimension: 3, stiffness: 1),
      mass: IdentityMassMatrix(dimension: 3), stepSize: 0.1)
    for model in [so3 as any RolloutModel, rigidResNet] {
      #expect(
        throws: LearningError.invalidConfiguration(
          name: "initial state", value: "coordinates (q, q̇)",
          requirement: "the \(model.kind.rawValue) model forecasts from a rigid body's (R, Ω)")
      ) { try model.forecast(position: [0, 0, 0], velocity: [0, 0, 0], steps: 2) }
    }
    #expect(
      throws: LearningError.invalidConfiguration(
        name: "initial state", value: "a rigid body's (R, Ω)",
        requirement: "the vin-vv model forecasts from coordinates (q, q̇)")
    ) { try vv.forecast(attitude: .identity, angularVelocity: Vector3(0, 0, 1), steps: 2) }
    #expect(throws: LearningError.dimensionMismatch(name: "v0", expected: 3, actual: 2)) {
      try vv.forecast(position: [0, 0, 0], velocity: [0, 0], steps: 2)
    }
  }
}
