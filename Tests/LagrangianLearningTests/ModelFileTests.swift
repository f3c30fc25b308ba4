import DiscreteMechanics
import Foundation
import LagrangianLearning
import Testing

@Suite("Model files")
struct ModelFileTests {
  static func models() throws -> [any RolloutModel] {
    var generator = SeededGenerator(seed: 21)
    var mass = ConstantMassMatrix(dimension: 2)
    mass.flatParameters = [0.2, 0.7, -0.3]
    return [
      try VINVelocityVerlet(
        potential: MLPPotential(
          dimension: 2, width: 5, depth: 2, activation: .softplus, generator: &generator),
        mass: mass, stepSize: 0.05),
      try VINStormerVerlet(
        potential: CosinePotential(dimension: 1, amplitude: 9.3),
        mass: IdentityMassMatrix(dimension: 1), stepSize: 0.1),
      try VINVelocityVerlet(
        potential: QuadraticPotential(dimension: 1, stiffness: 1.7),
        mass: ConstantMassMatrix(dimension: 1), stepSize: 0.1),
      try BaselineModel(
        architecture: .residual, dimension: 1, width: 7, depth: 1, activation: .tanh,
        stepSize: 0.1, generator: &generator),
      try BaselineModel(
        architecture: .feedForward, dimension: 1, width: 7, depth: 2, activation: .softplus,
        stepSize: 0.1, generator: &generator),
      try VINVelocityVerlet(
        potential: AngularMLPPotential(
          dimension: 2, width: 6, depth: 1, activation: .tanh, generator: &generator),
        mass: mass, stepSize: 0.05),
      try BaselineModel(
        architecture: .residual, dimension: 2, width: 7, depth: 1, activation: .tanh,
        stepSize: 0.1, angularPositions: true, generator: &generator),
    ]
  }

  static func reloaded(_ model: any RolloutModel, training: TrainingSummary? = nil) throws
    -> any RolloutModel
  {
    let data = try ModelFile(model: model, training: training).encoded()
    return try ModelFile(json: data).model()
  }

  @Test("save then load gives bit-identical forecasts for every kind")
  func roundTrip() throws {
    for model in try Self.models() {
      let n = model.configurationDimension
      let q0 = (0..<n).map { 0.3 + 0.1 * Double($0) }
      let v0 = (0..<n).map { -0.2 + 0.05 * Double($0) }
      let loaded = try Self.reloaded(model)
      #expect(loaded.kind == model.kind)
      let expected = try model.forecast(position: q0, velocity: v0, steps: 50)
      let actual = try loaded.forecast(position: q0, velocity: v0, steps: 50)
      #expect(actual == expected, "\(model.kind)")
    }
  }

  @Test("fit → save → load → forecast gives identical numbers and keeps the summary")
  func fitSaveLoad() throws {
    var generator = SeededGenerator(seed: 4)
    let data = try verletData(
      Pendulum(), q0: [1.2], v0: [0], stepSize: 0.1, steps: 29, noise: 0.05,
      generator: &generator)
    let model = try VINVelocityVerlet(
      potential: MLPPotential(
        dimension: 1, width: 12, depth: 2, activation: .tanh, generator: &generator),
      mass: ConstantMassMatrix(dimension: 1), stepSize: 0.1)
    var config = TrainingConfiguration()
    config.horizon = 5
    config.iterations = 20
    config.validationFraction = 0.2
    let result = try Trainer(configuration: config).train(model, on: [data])
    let file = try ModelFile(
      json: ModelFile(model: result.model, training: result.summary).encoded())
    #expect(file.training == result.summary)
    let loaded = try file.model()
    #expect(
      try loaded.forecast(position: [2], velocity: [0.5], steps: 100)
        == result.model.forecast(position: [2], velocity: [0.5], steps: 100))
  }

  static func json(_ model: any RolloutModel) throws -> String {
    try String(decoding: ModelFile(model: model).encoded(), as: UTF8.self)
  }

  static func loadError(_ text: String) -> LearningError? {
    do {
      _ = try ModelFile(json: Data(text.utf8)).model()
      return nil
    } catch {
      return error
    }
  }

  @Test("truncated, corrupted and mismatched files are typed errors naming the problem")
  func badFiles() throws {
    let text = try Self.json(Self.models()[0])
    let truncated = Self.loadError(String(text.prefix(text.count / 2)))
    #expect("\(truncated.map(String.init(describing:)) ?? "")".contains("not valid JSON"))

    let missing = Self.loadError(
      text.replacingOccurrences(of: "\"stepSize\"", with: "\"stepsize\""))
    #expect(missing == .corruptModelFile(detail: "missing field 'stepSize'"))

    let mistyped = Self.loadError(
      text.replacingOccurrences(of: "\"kind\" : \"vin-vv\"", with: "\"kind\" : 3"))
    #expect("\(mistyped.map(String.init(describing:)) ?? "")".contains("'kind'"))

    // Version 2 stores no network shape: another dimension changes every parameter count.
    let wrongDimension = Self.loadError(
      text.replacingOccurrences(of: "\"dimension\" : 2", with: "\"dimension\" : 3"))
    #expect(
      wrongDimension == .dimensionMismatch(name: "network parameters", expected: 56, actual: 51))
    // A version-1 file stores the shape, which must fit the dimension.
    let versionOne = Self.loadError(
      Self.versionOneMLP.replacingOccurrences(of: "\"dimension\": 2", with: "\"dimension\": 3"))
    #expect(
      versionOne == .dimensionMismatch(name: "potential network input", expected: 3, actual: 2))

    let newer = Self.loadError(
      text.replacingOccurrences(of: "\"version\" : 2", with: "\"version\" : 3"))
    #expect(newer == .unsupportedModelFile(detail: "version 3; this library reads versions 1 to 2"))

    let unknownKind = Self.loadError(
      text.replacingOccurrences(of: "\"kind\" : \"constant\"", with: "\"kind\" : \"diagonal\""))
    #expect(unknownKind == .unsupportedModelFile(detail: "unknown mass matrix kind 'diagonal'"))

    var file = try ModelFile(model: Self.models()[0])
    let count = file.parameters.potential.count
    file.parameters.potential.removeLast()
    #expect(
      throws: LearningError.dimensionMismatch(
        name: "network parameters", expected: count, actual: count - 1)
    ) {
      try file.model()
    }
  }

  /// A version-1 file (as `vin fit` wrote before version 2) of a VIN-VV on R² with an MLP
  /// potential of width 1 (5 parameters) and a constant mass matrix.
  static let versionOneMLP = """
    {"format": "vinkit-model", "version": 1, "kind": "vin-vv", "dimension": 2, "stepSize": 0.1,
     "potential": {"kind": "mlp", "parameters": [0.5, -0.25, 0.1, 2, 0.3],
       "shape": {"inputDimension": 2, "width": 1, "depth": 1, "outputDimension": 1,
                 "activation": "tanh"}},
     "mass": {"kind": "constant", "epsilon": 0.0001, "parameters": [0.2, 0.7, -0.3]}}
    """

  @Test("a forecast from a state of the wrong dimension names the bad input")
  func forecastDimension() throws {
    let model = try Self.models()[0]
    #expect(throws: LearningError.dimensionMismatch(name: "q0", expected: 2, actual: 1)) {
      try model.forecast(position: [1], velocity: [0, 0], steps: 3)
    }
  }
}
