/// The non-conservative forces of a VIN in a ``ModelSpecification``: the number of inputs and
/// the kind of dissipation (``ConstantForce``; none of either is ``NoForce``).
///
/// JSON: `{"inputs": 1, "dissipation": "constant"}`; a model file without `forces` (every file
/// written before forces existed) describes a conservative VIN.
public struct ForceSpecification: Codable, Hashable, Sendable {
  /// A VIN's dissipation.
  public enum Dissipation: String, Codable, Hashable, Sendable, CaseIterable {
    /// None: the VIN loses no energy but through its inputs.
    case none
    /// A learned constant `D = LLᵀ`.
    case constant
  }

  /// The number m of inputs u.
  public var inputs: Int
  public var dissipation: Dissipation

  public init(inputs: Int = 0, dissipation: Dissipation = .none) {
    self.inputs = inputs
    self.dissipation = dissipation
  }

  /// No forces.
  public static let none = ForceSpecification()

  /// Whether the forces vanish (no inputs, no dissipation).
  public var vanishes: Bool { inputs == 0 && dissipation == .none }

  /// The number of parameters on n coordinates: n·m, plus n(n+1)/2 with dissipation.
  func parameterCount(dimension n: Int) -> Int {
    n * inputs + (dissipation == .constant ? n * (n + 1) / 2 : 0)
  }

  /// The forces, fresh or with `parameters`.
  /// - Throws: as ``ConstantForce/init(dimension:inputCount:dissipation:parameters:)``.
  func makeForce(dimension n: Int, parameters: [Double]?) throws(LearningError) -> ConstantForce {
    if let parameters {
      try ConstantForce(
        dimension: n, inputCount: inputs, dissipation: dissipation == .constant,
        parameters: parameters)
    } else {
      try ConstantForce(dimension: n, inputCount: inputs, dissipation: dissipation == .constant)
    }
  }
}
