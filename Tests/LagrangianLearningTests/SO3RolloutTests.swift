import DiscreteMechanics
import Manifolds
import Testing
import _Differentiation

@testable import LagrangianLearning

@Suite("VIN-SO(3) batched rollout: SO3LGVI's arithmetic, window independence, workspace reuse")
struct SO3RolloutTests {
  /// Five generic initial rows `(R₀, Ω₀)`.
  static let initialRows: [Double] = (0..<5).flatMap { b -> [Double] in
    let t = Double(b)
    let xi = Vector3(0.3 - 0.4 * t, -0.5 + 0.3 * t, 0.7 - 0.2 * t)
    let w = Vector3(0.4 + 0.2 * t, -1.1 + 0.5 * t, 0.8 - 0.3 * t)
    return SO3.exp(xi).matrix.entries + w.components
  }

  static let steps = 30

  /// Window b's rows `(R_k, Ω_k)`, k = 0…K, by `SO3LGVI.step` on the model's learned body.
  static func reference<Potential>(_ model: VINSO3<Potential, NoForce>, window b: Int) throws
    -> [Double]
  {
    let row = Array(initialRows[(12 * b)..<(12 * b + 12)])
    let states = try model.trajectory(
      attitude: Matrix3(entries: row), angularVelocity: Vector3(row[9], row[10], row[11]),
      steps: steps)
    return states.flatMap { state in
      state.attitude.matrix.entries + model.body.angularVelocity(of: state).components
    }
  }

  static func window(_ output: [Double], _ b: Int) -> [Double] {
    let size = 12 * (steps + 1)
    return Array(output[(b * size)..<((b + 1) * size)])
  }

  @Test("the batched rollout is SO3LGVI.step on the learned body: bit for bit with U = e_zᵀRc")
  func gravityRolloutIsLGVI() throws {
    let (model, _) = try VINSO3Tests.genericCase()
    let output = model.rollout(from: Self.initialRows, steps: Self.steps)
    for b in 0..<5 {
      let expected = try Self.reference(model, window: b)
      #expect(Self.window(output, b) == expected, "window \(b)")
    }
  }

  @Test("with a network potential the batched moments agree with SO3LGVI.step's to round-off")
  func networkRolloutIsLGVI() throws {
    let (model, _) = try VINSO3Tests.networkCase()
    let output = model.rollout(from: Self.initialRows, steps: Self.steps)
    for b in 0..<5 {
      let expected = try Self.reference(model, window: b)
      #expect(relativeError(Self.window(output, b), expected) < 1e-13, "window \(b)")
    }
  }

  @Test("each window rolled out alone gives the batch's numbers; a reused workspace too")
  func windowsAreIndependent() throws {
    let (model, _) = try VINSO3Tests.networkCase()
    let workspace = RolloutWorkspace()
    let together = model.rollout(from: Self.initialRows, steps: Self.steps, workspace: workspace)
    for b in 0..<5 {
      let alone = model.rollout(
        from: Array(Self.initialRows[(12 * b)..<(12 * b + 12)]), steps: Self.steps,
        workspace: workspace)
      #expect(relativeError(alone, Self.window(together, b)) < 1e-14, "window \(b)")
    }
    // The workspace now holds the last, smaller rollout's numbers: a fresh rollout of the
    // whole batch in it is the first again.
    #expect(
      model.rollout(from: Self.initialRows, steps: Self.steps, workspace: workspace) == together)
    #expect(model.rollout(from: Self.initialRows, steps: Self.steps) == together)
  }

  @Test("a window whose step fails is NaN from that step on; the other windows are unaffected")
  func failureIsConfinedToItsWindow() throws {
    let (model, _) = try VINSO3Tests.genericCase()
    var initial = Self.initialRows
    initial[12 * 2 + 10] = 1e308  // Ω₀ of window 2: its first step has no finite solution.
    let output = model.rollout(from: initial, steps: Self.steps)
    let clean = model.rollout(from: Self.initialRows, steps: Self.steps)
    for b in [0, 1, 3, 4] { #expect(Self.window(output, b) == Self.window(clean, b)) }
    let failed = Self.window(output, 2)
    #expect(failed[..<9].allSatisfy { $0.isFinite })
    #expect(failed[12...].allSatisfy { $0.isNaN })
  }

  @Test(
    "batched moments and their pullbacks equal the attitude-by-attitude ones (default, network)")
  func batchedMomentsAndPullbacks() throws {
    let network = try VINSO3Tests.networkCase().model.potential
    let gravity = RigidBodyGravityPotential(c: Vector3(0.3, -0.2, 0.5))
    try Self.checkBatchedMoments(network)
    try Self.checkBatchedMoments(gravity)
  }

  static func checkBatchedMoments<Potential: LearnableRigidBodyPotential>(_ potential: Potential)
    throws
  {
    let batch = 5
    let attitudes = (0..<batch).flatMap { b in Array(initialRows[(12 * b)..<(12 * b + 9)]) }
    var generator = SeededGenerator(seed: 9)
    let cotangents = (0..<(3 * batch)).map { _ in 2 * generator.nextUniform() - 1 }
    let workspace = RolloutWorkspace()
    var moments = Array(repeating: 0.0, count: 3 * batch)
    var attitudeBar = Array(repeating: 0.1, count: 9 * batch)
    var parameterBar = Potential.TangentVector.zero
    attitudes.withUnsafeBufferPointer { r in
      moments.withUnsafeMutableBufferPointer { m in
        potential.moments(
          at: r.baseAddress!, batch: batch, into: m.baseAddress!, workspace: workspace)
      }
      cotangents.withUnsafeBufferPointer { c in
        attitudeBar.withUnsafeMutableBufferPointer { bar in
          potential.accumulateMomentPullback(
            at: r.baseAddress!, batch: batch, cotangent: c.baseAddress!,
            attitudeBar: bar.baseAddress!, parameterBar: &parameterBar, workspace: workspace)
        }
      }
    }
    var expectedMoments: [Double] = []
    var expectedAttitudeBar: [Double] = []
    var expectedParameterBar = Potential.TangentVector.zero
    for b in 0..<batch {
      let r = Matrix3(entries: Array(attitudes[(9 * b)..<(9 * b + 9)]))
      expectedMoments += potential.moment(at: r).components
      var rBar = Matrix3(entries: Array(repeating: 0.1, count: 9))
      potential.pullbackMoment(
        at: r,
        cotangent: Vector3(cotangents[3 * b], cotangents[3 * b + 1], cotangents[3 * b + 2]),
        attitudeBar: &rBar, parameterBar: &expectedParameterBar)
      expectedAttitudeBar += rBar.entries
    }
    #expect(relativeError(moments, expectedMoments) < 1e-14)
    #expect(relativeError(attitudeBar, expectedAttitudeBar) < 1e-14)
    #expect(
      relativeError(potential.flatten(parameterBar), potential.flatten(expectedParameterBar))
        < 1e-13)
  }
}
