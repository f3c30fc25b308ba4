/// A model file of version 1, which stored each component as a kind string with its parameters
/// (and a network's full shape), read so that models saved before ``ModelSpecification``
/// existed still load: ``converted()`` turns it into the version-2 ``ModelFile``, which checks
/// it as every file is checked.
struct VersionOneModelFile: Decodable {
  struct Shape: Decodable {
    var inputDimension: Int
    var width: Int
    var depth: Int
    var outputDimension: Int
    var activation: Activation

    var architecture: NetworkArchitecture {
      NetworkArchitecture(width: width, depth: depth, activation: activation)
    }
  }

  struct Potential: Decodable {
    var kind: String
    var shape: Shape?
    var parameters: [Double]
  }

  struct Mass: Decodable {
    var kind: String
    var epsilon: Double?
    var width: Int?
    var activation: Activation?
    var parameters: [Double]
  }

  struct Network: Decodable {
    var shape: Shape
    var parameters: [Double]
  }

  var kind: ModelKind
  var dimension: Int
  var stepSize: Double
  var potential: Potential?
  var mass: Mass?
  var network: Network?
  var training: TrainingSummary?

  /// The version-2 file.
  /// - Throws: ``LearningError/unsupportedModelFile(detail:)`` for a missing section or an
  ///   unknown kind, ``LearningError/dimensionMismatch(name:expected:actual:)`` for a network
  ///   whose shape disagrees with the dimension; then as ``ModelFile/init(specification:parameters:training:)``.
  func converted() throws(LearningError) -> ModelFile {
    // vin-so3 files of version 1 give the 6 + 6 split of the trainer's rows as the dimension.
    let n = kind == .vinSO3 ? 3 : dimension
    if kind == .vinSO3, dimension != 6 {
      throw .invalidConfiguration(
        name: "dimension", value: "\(dimension)",
        requirement: "must be 6 for a version-1 vin-so3 file (its rows (R, Ω) split 6 + 6)")
    }
    try ModelLimits.check(n, in: 1...ModelLimits.maximumDimension, field: "dimension")
    let specification: ModelSpecification
    let parameters: ModelParameters
    if kind.isBaseline {
      guard let network else {
        throw .unsupportedModelFile(detail: "\(kind.rawValue) model has no 'network'")
      }
      let shape = network.shape
      let angular = shape.inputDimension == 3 * n
      guard shape.inputDimension == 2 * n || angular else {
        throw .dimensionMismatch(
          name: "network input", expected: 2 * n, actual: shape.inputDimension)
      }
      guard shape.outputDimension == 2 * n else {
        throw .dimensionMismatch(
          name: "network output", expected: 2 * n, actual: shape.outputDimension)
      }
      specification = ModelSpecification(
        kind: kind, dimension: n, stepSize: stepSize,
        network: BaselineNetworkSpecification(shape.architecture, angularInputs: angular))
      parameters = ModelParameters(network: network.parameters)
    } else {
      guard let potential else {
        throw .unsupportedModelFile(detail: "\(kind.rawValue) model has no 'potential'")
      }
      guard let mass else {
        throw .unsupportedModelFile(detail: "\(kind.rawValue) model has no 'mass'")
      }
      specification = ModelSpecification(
        kind: kind, dimension: n, stepSize: stepSize,
        potential: try potentialSpecification(potential, dimension: n),
        mass: try massSpecification(mass))
      parameters = ModelParameters(potential: potential.parameters, mass: mass.parameters)
    }
    return try ModelFile(specification: specification, parameters: parameters, training: training)
  }

  private func potentialSpecification(_ record: Potential, dimension n: Int)
    throws(LearningError) -> PotentialSpecification
  {
    func network(_ inputs: Int, _ name: String) throws(LearningError) -> NetworkArchitecture {
      guard let shape = record.shape else {
        throw .unsupportedModelFile(detail: "\(record.kind) potential has no 'shape'")
      }
      guard shape.inputDimension == inputs else {
        throw .dimensionMismatch(name: name, expected: inputs, actual: shape.inputDimension)
      }
      guard shape.outputDimension == 1 else {
        throw .dimensionMismatch(
          name: "potential network output", expected: 1, actual: shape.outputDimension)
      }
      return shape.architecture
    }
    switch (kind, record.kind) {
    case (.vinSO3, "gravity"): return .rigidBodyGravity
    case (.vinSO3, "mlp"): return .rigidBodyMLP(try network(9, "SO(3) potential network inputs"))
    case (.vinSO3, _):
      throw .unsupportedModelFile(
        detail: "vin-so3 potential must be 'gravity' or 'mlp' with a shape, got '\(record.kind)'")
    case (_, "mlp"): return .mlp(try network(n, "potential network input"))
    case (_, "angular-mlp"):
      return .angularMLP(try network(2 * n, "angular potential network input"))
    case (_, "quadratic"): return .quadratic
    case (_, "cosine"): return .cosine
    default: throw .unsupportedModelFile(detail: "unknown potential kind '\(record.kind)'")
    }
  }

  private func massSpecification(_ record: Mass) throws(LearningError) -> MassSpecification {
    switch (kind, record.kind) {
    case (.vinSO3, "inertia-cholesky"): return .rigidBodyInertia(epsilon: record.epsilon ?? 1e-6)
    case (.vinSO3, _):
      throw .unsupportedModelFile(
        detail: "vin-so3 model needs a potential and an 'inertia-cholesky' mass")
    case (.vinMq, "configuration"):
      guard let width = record.width, let activation = record.activation else {
        throw .unsupportedModelFile(
          detail: "vin-mq model needs a 'configuration' mass with 'width' and 'activation'")
      }
      return .configuration(width: width, activation: activation, epsilon: record.epsilon ?? 1e-4)
    case (.vinMq, _):
      throw .unsupportedModelFile(
        detail: "vin-mq model needs a 'configuration' mass with 'width' and 'activation'")
    case (_, "identity"): return .identity
    case (_, "constant"): return .constant(epsilon: record.epsilon ?? 1e-4)
    default: throw .unsupportedModelFile(detail: "unknown mass matrix kind '\(record.kind)'")
    }
  }
}
