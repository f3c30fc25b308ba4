import DiscreteMechanics
import Manifolds

/// A learned body torque `τ = B(R) u − D(R) Ω` (B 3×m and D 3×3 symmetric positive
/// semi-definite, in the body frame, each constant or a function of the attitude R,
/// ``ConstantForce`` or ``ConfigurationForce`` with ``ForceFeatures/attitude``), seen as a
/// `RigidBodyTorque` so that DiscreteMechanics' forced `SO3LGVI` steps a ``VINSO3`` of a driven
/// or damped body (``VINSO3/torque``) as it steps the built-in bodies with
/// `BodyActuatorsAndDamping`, with the same arithmetic: `B u` is summed over the inputs in
/// order, as there. Constant B and D are evaluated once; B(R) and D(R) at each call (which
/// allocates: for forecasts, not for training).
public struct LearnedBodyTorque<Forces: LearnableForce>: RigidBodyTorque {
  public let forces: Forces
  /// B (row-major, 3·m numbers) and D of forces that do not depend on R; nil for those that do.
  private let constantTerms: (inputMatrix: [Double], dissipation: Matrix3)?

  /// The torque of the forces `forces` on the three body axes: their input matrix (3×m) and
  /// dissipation (3×3, or none).
  /// - Throws: ``LearningError/dimensionMismatch(name:expected:actual:)`` unless the forces act
  ///   on 3 coordinates and, when they depend on the configuration, see an attitude (9
  ///   numbers, ``ForceFeatures/attitude``).
  public init(_ forces: Forces) throws(LearningError) {
    guard forces.vanishes || forces.dimension == 3 else {
      throw .dimensionMismatch(
        name: "body torque dimension (3 body axes)", expected: 3, actual: forces.dimension)
    }
    guard !forces.dependsOnConfiguration || forces.pointDimension == 9 else {
      throw .dimensionMismatch(
        name: "body torque point dimension (the 9 entries of R)", expected: 9,
        actual: forces.pointDimension)
    }
    self.forces = forces
    guard !forces.dependsOnConfiguration else {
      constantTerms = nil
      return
    }
    let origin: [Double] = [0, 0, 0]
    constantTerms =
      forces.vanishes
      ? ([], .zero)
      : (forces.inputMatrix(at: origin), Matrix3(entries: forces.dissipation(at: origin)))
  }

  public var inputCount: Int { forces.inputCount }

  /// `B(R) u`.
  public func inputTorque(at attitude: SO3, input u: [Double]) -> Vector3 {
    Self.inputTorque(
      constantTerms?.inputMatrix ?? forces.inputMatrix(at: attitude.matrix.entries), u,
      from: 0, inputCount: inputCount)
  }

  /// `B u` for the B of `inputMatrix` (row-major 3×m) and the m inputs of `inputs` from
  /// `offset` on.
  static func inputTorque(
    _ inputMatrix: UnsafePointer<Double>, _ inputs: [Double], from offset: Int, inputCount m: Int
  ) -> Vector3 {
    var torque = Vector3.zero
    for i in 0..<3 {
      var s = 0.0
      for j in 0..<m { s += inputMatrix[i * m + j] * inputs[offset + j] }
      torque[i] = s
    }
    return torque
  }

  /// D(R).
  public func dissipation(at attitude: SO3) -> Matrix3 {
    constantTerms?.dissipation ?? Matrix3(entries: forces.dissipation(at: attitude.matrix.entries))
  }
}
