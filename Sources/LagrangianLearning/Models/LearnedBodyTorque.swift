import DiscreteMechanics
import Manifolds

/// A learned body torque `τ = B u − D Ω` (constant B, 3×m, and D, 3×3 symmetric positive
/// semi-definite, in the body frame), seen as a `RigidBodyTorque` so that DiscreteMechanics'
/// forced `SO3LGVI` steps a ``VINSO3`` of a driven or damped body (``VINSO3/torque``) as it steps
/// the built-in bodies with `BodyActuatorsAndDamping`, with the same arithmetic: `B u` is summed
/// over the inputs in order, as there.
public struct LearnedBodyTorque: RigidBodyTorque, Hashable {
  /// B, row-major (3·m numbers).
  public let inputMatrix: [Double]
  public let inputCount: Int
  /// D.
  public let dissipationMatrix: Matrix3

  /// The torque of the forces `forces` on the three body axes: their input matrix (3×m) and
  /// dissipation (3×3, or none).
  /// - Throws: ``LearningError/dimensionMismatch(name:expected:actual:)`` unless B has 3·m
  ///   entries and D has 9 (or none); ``LearningError/invalidConfiguration(name:value:requirement:)``
  ///   for forces that depend on the configuration (a torque constant in the body frame is
  ///   all that VIN-SO(3) learns).
  public init(_ forces: some LearnableForce) throws(LearningError) {
    guard !forces.dependsOnConfiguration else {
      throw .invalidConfiguration(
        name: "forces", value: "configuration-dependent",
        requirement: "must be constant for vin-so3 (a body torque τ = Bu − DΩ)")
    }
    guard forces.vanishes || forces.dimension == 3 else {
      throw .dimensionMismatch(
        name: "body torque dimension (3 body axes)", expected: 3, actual: forces.dimension)
    }
    let origin: [Double] = [0, 0, 0]
    let (b, d) =
      forces.vanishes ? ([], []) : (forces.inputMatrix(at: origin), forces.dissipation(at: origin))
    guard b.count == 3 * forces.inputCount else {
      throw .dimensionMismatch(
        name: "body torque input matrix entries (3·m)", expected: 3 * forces.inputCount,
        actual: b.count)
    }
    guard d.isEmpty || d.count == 9 else {
      throw .dimensionMismatch(
        name: "body torque dissipation entries (3×3)", expected: 9, actual: d.count)
    }
    inputMatrix = b
    inputCount = forces.inputCount
    dissipationMatrix = d.isEmpty ? .zero : Matrix3(entries: d)
  }

  /// `B u`.
  public func inputTorque(at attitude: SO3, input u: [Double]) -> Vector3 {
    inputTorque(u, from: 0)
  }

  /// `B u` for the m inputs of `inputs` from `offset` on.
  func inputTorque(_ inputs: [Double], from offset: Int) -> Vector3 {
    let m = inputCount
    var torque = Vector3.zero
    for i in 0..<3 {
      var s = 0.0
      for j in 0..<m { s += inputMatrix[i * m + j] * inputs[offset + j] }
      torque[i] = s
    }
    return torque
  }

  /// D.
  public func dissipation(at attitude: SO3) -> Matrix3 { dissipationMatrix }
}
