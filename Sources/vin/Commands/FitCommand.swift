import ArgumentParser
import Foundation
import VINKit

/// `vin fit`: trains a model on trajectory CSV files and writes it as a versioned JSON model
/// file (DESIGN §4).
struct FitCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fit",
    abstract: "Fit a Variational Integrator Network (or a baseline) to trajectories.",
    discussion: """
      Each --data file is one trajectory in the layout `vin simulate` writes \
      (t,q1..qn[,v1..vn][,...]); the t column must be uniformly spaced and gives the step \
      size h. Velocity columns are needed by every model except vin-sv. vin-so3 reads the \
      SO(3) layout of `vin simulate heavy-top` and `rigid-body` instead \
      (t,R11..R33,w1,w2,w3[,...], w = body angular velocity Ω; every R a rotation).

      The model file (versioned JSON) goes to --output, written atomically, or to standard \
      output. Progress goes to standard error.

      Ctrl-C stops training and writes the best model so far (a second Ctrl-C quits at once). \
      If the loss becomes NaN or infinite, training stops, the best model so far is written, \
      a warning names the iteration, and the exit status is 2.
      """
  )

  @Option(
    name: .customLong("data"),
    help: ArgumentHelp("A trajectory CSV file (repeat for several).", valueName: "file.csv"))
  var dataFiles: [String] = []

  @Option(
    name: .customLong("model"),
    help: ArgumentHelp(
      "The model kind: \(ModelKind.allCases.map(\.rawValue).joined(separator: ", ")).",
      valueName: "kind"))
  var kind: String

  @Option(help: ArgumentHelp("Write the model file here.", valueName: "model.json"))
  var output: String?

  @Option(parsing: .unconditional, help: "Hidden units per layer of the MLP.")
  var width: Int = 100

  @Option(parsing: .unconditional, help: "Hidden layers of the MLP.")
  var depth: Int = 1

  @Option(help: "The MLP activation: tanh or softplus.")
  var activation: String = Activation.tanh.rawValue

  @Option(
    help: ArgumentHelp(
      "A VIN's potential: mlp (the default), quadratic (½k|q|²) or cosine (a Σ(1 − cos q)); vin-so3: gravity (U = e_zᵀRc, its default) or mlp (a network of R).",
      valueName: "kind"
    ))
  var potential: String?

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "vin-so3's initial inertia J = sI (default 1).", valueName: "s"))
  var inertiaScale: Double?

  @Flag(
    help: ArgumentHelp(
      "The coordinates are angles: MLP potentials and baselines see (cos q, sin q), so that"
        + " the learned model is periodic in q (a pendulum that goes over the top)."))
  var angles = false

  @Option(
    help: ArgumentHelp(
      "A VIN's mass matrix: identity or constant (learned M = LLᵀ).", valueName: "kind"))
  var mass: String = FitModelOptions.MassOption.constant.rawValue

  @Option(parsing: .unconditional, help: "Steps H of each training rollout (windows of H+1).")
  var horizon: Int = 10

  @Option(parsing: .unconditional, help: "Training iterations (Adam steps).")
  var steps: Int = 1000

  @Option(parsing: .unconditional, help: "Adam's learning rate.")
  var learningRate: Double = 1e-3

  @Option(
    help: ArgumentHelp(
      "The learning rate over the run: constant, or cosine (decays to 0 at the last step).",
      valueName: "constant|cosine"))
  var schedule: String = LearningRateSchedule.constant.rawValue

  @Option(parsing: .unconditional, help: "Windows per minibatch.")
  var batchSize: Int = 32

  @Option(help: "The seed of the initial weights, the split and the minibatches.")
  var seed: UInt64 = 0

  @Option(parsing: .unconditional, help: "Fraction of windows held out for validation.")
  var validationFraction: Double = 0.1

  @Option(help: "The loss: nll (Gaussian, learned noise scale) or mse.")
  var loss: String = RolloutLossKind.gaussianNegativeLogLikelihood.rawValue

  @Option(
    help: ArgumentHelp(
      "Rollout starts: inferred (optimised per window) or naive (first observation).",
      valueName: "inferred|naive"))
  var initialState: String = "inferred"

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "Adam's step size for the inferred starts (default: --learning-rate × max(1, training windows / --batch-size); vin-so3: use 1e-3 to 3e-3).",
      valueName: "rate"))
  var initialStateLearningRate: Double?

  @Option(
    parsing: .unconditional,
    help: "Stop after this many validations (every 10 iterations) without improvement.")
  var patience: Int?

  func run() throws {
    let kind = try Self.choice(
      self.kind, option: "--model", ModelKind.self, unknown: LearningCommandError.unknownModelKind)
    let architecture = FitModelOptions(
      width: width, depth: depth,
      activation: try Self.choice(activation, option: "--activation", Activation.self),
      potential: try potential.map { text throws(LearningCommandError) in
        try Self.choice(text, option: "--potential", FitModelOptions.PotentialOption.self)
      },
      mass: try Self.choice(mass, option: "--mass", FitModelOptions.MassOption.self),
      inertiaScale: inertiaScale, angles: angles)
    let configuration = try trainingConfiguration()
    guard !dataFiles.isEmpty else {
      throw ValidationError("Missing expected argument '--data <file.csv>'")
    }
    var files: [TrajectoryFile] = []
    for path in dataFiles { files.append(try TrajectoryFile(path: path)) }
    let stepSize = try TrajectoryFile.commonStepSize(files)
    let dimension = files[0].trajectory.dimension
    for file in files where file.trajectory.layout != kind.observationLayout {
      throw LearningCommandError.layout(path: file.path, file.trajectory.layout, model: kind)
    }
    var generator = SeededGenerator(seed: seed)
    let model: any SpecifiedModel
    do {
      model = try architecture.specification(
        kind: kind, dimension: files[0].configurationDimension, stepSize: stepSize
      ).makeModel(generator: &generator)
    } catch {
      throw LearningCommandError.training(error)
    }
    for file in files {
      guard file.trajectory.dimension == dimension else {
        throw LearningCommandError.data(
          path: file.path,
          .dimensionMismatch(
            name: "q columns (as in '\(files[0].path)')", expected: dimension,
            actual: file.trajectory.dimension))
      }
      if model.observesVelocities, file.trajectory.velocities == nil {
        throw LearningCommandError.data(path: file.path, .missingVelocities(model: kind.rawValue))
      }
    }
    let (json, summary) = try Self.train(model, on: files.map(\.trajectory), configuration)
    if let output {
      do {
        try AtomicFile.write(String(decoding: json, as: UTF8.self), to: output)
      } catch {
        throw CommandError.output(error)
      }
    } else {
      FileHandle.standardOutput.write(json)
    }
    report(summary, kind: kind)
    if case .nonFiniteLoss = summary.stopReason { throw ExitCode(2) }
  }

  /// The training settings from the options.
  func trainingConfiguration() throws(LearningCommandError) -> TrainingConfiguration {
    func require(_ ok: Bool, _ option: String, _ value: Any, _ requirement: String)
      throws(LearningCommandError)
    {
      if !ok {
        throw .invalidOption(option: option, value: "\(value)", requirement: requirement)
      }
    }
    try require(width >= 1, "--width", width, "must be at least 1")
    try require(depth >= 1, "--depth", depth, "must be at least 1")
    try require(horizon >= 1, "--horizon", horizon, "must be at least 1")
    try require(steps >= 0, "--steps", steps, "must be non-negative")
    try require(
      learningRate.isFinite && learningRate > 0, "--learning-rate", learningRate,
      "must be positive and finite")
    try require(batchSize >= 1, "--batch-size", batchSize, "must be at least 1")
    try require(
      validationFraction >= 0 && validationFraction < 1, "--validation-fraction",
      validationFraction, "must be in [0, 1)")
    try require((patience ?? 1) >= 1, "--patience", patience ?? 0, "must be at least 1")
    try require(
      (inertiaScale ?? 1).isFinite && (inertiaScale ?? 1) > 0, "--inertia-scale",
      inertiaScale ?? 1, "must be positive and finite")
    try require(
      (initialStateLearningRate ?? 1).isFinite && (initialStateLearningRate ?? 1) > 0,
      "--initial-state-learning-rate", initialStateLearningRate ?? 1,
      "must be positive and finite")
    var configuration = TrainingConfiguration()
    configuration.horizon = horizon
    configuration.iterations = steps
    configuration.learningRate = learningRate
    configuration.learningRateSchedule = try Self.choice(
      schedule, option: "--schedule", LearningRateSchedule.self)
    configuration.batchSize = batchSize
    configuration.seed = seed
    configuration.validationFraction = validationFraction
    configuration.patience = patience
    configuration.initialStateLearningRate = initialStateLearningRate
    configuration.loss = try Self.choice(loss, option: "--loss", RolloutLossKind.self)
    switch initialState {
    case "inferred": configuration.initialStates = .learned
    case "naive": configuration.initialStates = .firstObservation
    default:
      throw .invalidOption(
        option: "--initial-state", value: "'\(initialState)'",
        requirement: "must be inferred or naive")
    }
    return configuration
  }

  /// Trains `model` with progress on standard error and Ctrl-C handling; returns the model
  /// file's JSON and the training summary.
  static func train<Model: RolloutModel>(
    _ model: Model, on trajectories: [ObservedTrajectory], _ configuration: TrainingConfiguration
  ) throws(LearningCommandError) -> (json: Data, summary: TrainingSummary) {
    InterruptFlag.install()
    var line = ProgressLine()
    let result: TrainingResult<Model>
    do {
      result = try Trainer(configuration: configuration).train(model, on: trajectories) {
        progress in
        line.show(progress)
        return InterruptFlag.isSet ? .stop : .proceed
      }
    } catch {
      line.finish()
      throw .training(error)
    }
    line.finish()
    do {
      let file = try ModelFile(model: result.model, training: result.summary)
      return (try file.encoded(), result.summary)
    } catch {
      throw .training(error)
    }
  }

  /// How training ended, on standard error.
  func report(_ summary: TrainingSummary, kind: ModelKind) {
    let destination = output.map { "'\($0)'" } ?? "standard output"
    let best =
      "best \(summary.validationWindows > 0 ? "validation" : "training") loss \(summary.bestLoss) at iteration \(summary.bestIteration)"
    switch summary.stopReason {
    case .nonFiniteLoss:
      printToStandardError(
        "warning: \(summary.stopReason); wrote the \(kind.rawValue) model with the \(best) to \(destination)"
      )
    default:
      printToStandardError(
        "\(kind.rawValue): \(summary.stopReason) after \(summary.iterations) iterations, \(best); model written to \(destination)"
      )
    }
  }

  /// The case of `Choice` named `text`.
  static func choice<Choice: RawRepresentable & CaseIterable>(
    _ text: String, option: String, _ type: Choice.Type,
    unknown: ((String, [String]) -> LearningCommandError)? = nil
  ) throws(LearningCommandError) -> Choice where Choice.RawValue == String {
    if let value = Choice(rawValue: text) { return value }
    let known = Choice.allCases.map(\.rawValue)
    if let unknown { throw unknown(text, known) }
    throw .invalidOption(
      option: option, value: "'\(text)'",
      requirement: "must be one of \(known.joined(separator: ", "))")
  }
}
