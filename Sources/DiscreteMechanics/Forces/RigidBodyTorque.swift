import Manifolds

/// The non-conservative torque on a rigid body, in the body frame: m inputs through an input
/// matrix and Rayleigh dissipation in the body angular velocity Ω,
///
///     τ(R, Ω, u) = B(R) u − D(R) Ω,
///
/// with B(R) 3×m and D(R) 3×3 symmetric positive semi-definite (`R = ½ ΩᵀDΩ`). It is the
/// ``GeneralisedForce`` of a body on SO(3), left-trivialised: the virtual work `τ · η` for a
/// variation `δR = R η̂`. ``SO3LGVI`` and ``RigidBodyReferenceSolver`` take it;
/// ``BodyActuatorsAndDamping`` is the conforming type for constant B and D (the built-in bodies'
/// torques and damping), and a learned model conforms by giving `B(R)u` and `D(R)`.
public protocol RigidBodyTorque: Sendable {
  /// The number m of inputs (0 for dissipation alone).
  var inputCount: Int { get }
  /// The torque of the inputs, `B(R) u`, in the body frame.
  func inputTorque(at attitude: SO3, input u: [Double]) -> Vector3
  /// The dissipation matrix `D(R)`, body frame, symmetric positive semi-definite.
  func dissipation(at attitude: SO3) -> Matrix3
}

extension RigidBodyTorque {
  /// `B(R)u` and `D(R)` at one attitude.
  @inlinable
  public func terms(at attitude: SO3, input u: [Double]) -> BodyTorqueTerms {
    BodyTorqueTerms(
      inputTorque: inputTorque(at: attitude, input: u), dissipation: dissipation(at: attitude))
  }

  /// Throws unless `u` has ``inputCount`` finite entries.
  func validate(input u: [Double]) throws(IntegrationError) {
    try IntegrationError.check(u, name: "input u", dimension: inputCount)
  }
}

/// A ``RigidBodyTorque`` evaluated at one attitude R for one input u: `B(R)u` and `D(R)`, the
/// values ``SO3LGVI/advanceAttitude(of:moment:torque:)`` and
/// ``SO3LGVI/completeStep(_:nextMoment:nextTorque:)`` take, so that a caller evaluating them for
/// many bodies at once (a learned model) steps with the integrator's arithmetic. The torque at
/// a body angular velocity ω is `inputTorque − dissipation ω`.
public struct BodyTorqueTerms: Hashable, Sendable {
  /// `B(R)u`.
  public var inputTorque: Vector3
  /// `D(R)`.
  public var dissipation: Matrix3

  @inlinable
  public init(inputTorque: Vector3, dissipation: Matrix3) {
    self.inputTorque = inputTorque
    self.dissipation = dissipation
  }

  /// `τ = B(R)u − D(R)ω` at the body angular velocity ω.
  @inlinable
  public func torque(angularVelocity omega: Vector3) -> Vector3 {
    inputTorque - dissipation * omega
  }
}

/// Constant body torques and damping: the ``RigidBodyTorque`` `τ = B u − D Ω` with a constant
/// 3×m input matrix B and a constant symmetric positive semi-definite D (the built-in bodies'
/// `forces`: B = I, three torques about the body axes, and D = b I).
public struct BodyActuatorsAndDamping: RigidBodyTorque, Hashable {
  /// B (3×m).
  public let inputMatrix: Matrix
  /// D.
  public let dissipationMatrix: Matrix3

  public var inputCount: Int { inputMatrix.columns }

  /// - Throws: as ``ActuatorsAndDamping/init(inputMatrix:dissipation:)`` for n = 3.
  public init(inputMatrix: Matrix, dissipation: Matrix3) throws(IntegrationError) {
    let checked = try ActuatorsAndDamping(
      inputMatrix: inputMatrix, dissipation: Matrix(dissipation))
    self.inputMatrix = checked.inputMatrix
    dissipationMatrix = dissipation
  }

  /// B and D as they are, for the built-in bodies (D = b I with b ≥ 0 checked).
  init(unchecked inputMatrix: Matrix, dissipation: Matrix3) {
    self.inputMatrix = inputMatrix
    dissipationMatrix = dissipation
  }

  /// Three torques about the body axes (B = I) and isotropic damping `D = b I`.
  /// - Throws: ``IntegrationError/invalidParameter(name:value:requirement:)`` naming `damping`
  ///   unless b is non-negative and finite.
  public init(damping b: Double) throws(IntegrationError) {
    let damping = try Parameter.nonNegative(b, "damping")
    try self.init(
      inputMatrix: .identity(3), dissipation: Matrix3(diagonal: Vector3(repeating: damping)))
  }

  /// `B u`.
  @inlinable
  public func inputTorque(at attitude: SO3, input u: [Double]) -> Vector3 {
    let m = inputMatrix.columns
    var torque = Vector3.zero
    for i in 0..<3 {
      var s = 0.0
      for j in 0..<m { s += inputMatrix.storage[i * m + j] * u[j] }
      torque[i] = s
    }
    return torque
  }

  /// D.
  @inlinable
  public func dissipation(at attitude: SO3) -> Matrix3 { dissipationMatrix }
}

extension Matrix {
  /// The 3×3 matrix of `m`.
  init(_ m: Matrix3) {
    self = .zeros(rows: 3, columns: 3)
    storage = m.entries
  }
}
