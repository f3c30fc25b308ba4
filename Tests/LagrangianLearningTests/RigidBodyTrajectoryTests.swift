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

  @Test("VIN-SO(3) takes rigid-body data only, VINs on Rⁿ coordinates only, baselines both")
  func layoutsOfTheModels() throws {
    var generator = SeededGenerator(seed: 1)
    let rigid = try ObservedTrajectory(
      times: [0, 0.1, 0.2], attitudes: Array(repeating: .identity, count: 3),
      angularVelocities: Array(repeating: Vector3(0.1, 0.2, 0.3), count: 3))
    let flat = try ObservedTrajectory(
      times: [0, 0.1, 0.2], positions: Array(repeating: Array(repeating: 0.5, count: 6), count: 3),
      velocities: Array(repeating: Array(repeating: 0.1, count: 6), count: 3))
    let so3 = try VINSO3(stepSize: 0.1)
    let vv = try VINVelocityVerlet(
      potential: QuadraticPotential(dimension: 6, stiffness: 1),
      mass: IdentityMassMatrix(dimension: 6), stepSize: 0.1)
    let resnet = try BaselineModel(
      architecture: .residual, dimension: 6, width: 4, depth: 1, activation: .tanh,
      stepSize: 0.1, generator: &generator)
    #expect(try TrainingWindow.all(of: [rigid], for: so3, horizon: 2).count == 1)
    #expect(throws: LearningError.self) { try TrainingWindow.all(of: [flat], for: so3, horizon: 2) }
    #expect(try TrainingWindow.all(of: [flat], for: vv, horizon: 2).count == 1)
    #expect(throws: LearningError.self) { try TrainingWindow.all(of: [rigid], for: vv, horizon: 2) }
    #expect(try TrainingWindow.all(of: [rigid, flat], for: resnet, horizon: 2).count == 2)
  }
}
