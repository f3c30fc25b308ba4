import ArgumentParser
import FileOutput
import Foundation
import VINKit

/// `vin fit`: trains a model on trajectory CSV files (`--data`), or a pixel model on videos
/// (`--frames`, ``fitFrames()``), and writes it as a versioned JSON model file (DESIGN §4).
struct FitCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fit",
    abstract: "Fit a Variational Integrator Network (or a baseline) to trajectories or videos.",
    discussion: """
      Each --data file is one trajectory in the layout `vin simulate` writes \
      (t,q1..qn[,v1..vn][,...]); the t column must be uniformly spaced and gives the step \
      size h. Velocity columns are needed by every model except vin-sv. vin-so3 reads the \
      SO(3) layout of `vin simulate heavy-top` and `rigid-body` instead \
      (t,R11..R33,w1,w2,w3[,...], w = body angular velocity Ω; every R a rotation); resnet \
      and feedforward read either layout, on SO(3) mapping the 12-vector (R, Ω).

      The model file (versioned JSON) goes to --output, written atomically, or to standard \
      output. Progress goes to standard error.

      Training runs cosine cycles of 500, 1000, 2000, … iterations and stops after the cycle \
      in which it converged or began to fit the data's noise (see Docs/Learning.md, "The \
      training recipe"); --iterations is the most it runs.

      Ctrl-C stops training and writes the model kept so far (the one at the end of the last \
      completed cycle; a second Ctrl-C quits at once). If the loss becomes NaN or infinite, \
      training stops, the model kept so far is written, a warning names the iteration, and the \
      exit status is 2.

      With --frames FILE.npy (videos as `vin render --frames` writes them, float32 \
      (T, size, size) in [0, 1]; repeat for several, all of one size) instead of --data, vin \
      fit trains a pixel model, a VAE whose latent dynamics are --model vin-so2, vin-vv, vin-sv \
      or resnet (or none: vae), on the negative ELBO over windows of --horizon + 1 frames; --dt \
      is the frames' time step. --width, --depth, --activation, --potential and --mass shape \
      the latent dynamics; --encoder-width, --decoder-width, --latent-dimension and --context \
      the rest. It runs exactly --iterations Adam steps on minibatches of --batch-size \
      windows. The options of trajectory fits that a pixel model does not take (--schedule, \
      --loss, …) are refused.
      """
  )

  @Option(
    name: .customLong("data"),
    help: ArgumentHelp("A trajectory CSV file (repeat for several).", valueName: "file.csv"))
  var dataFiles: [String] = []

  @Option(
    name: .customLong("frames"),
    help: ArgumentHelp(
      "A video, a NumPy .npy file of frames (repeat for several): fit a pixel model.",
      valueName: "file.npy"))
  var frameFiles: [String] = []

  @Option(
    name: .customLong("model"),
    help: ArgumentHelp(
      "The model kind (with --frames: the latent dynamics vin-so2, vin-vv, vin-sv or resnet, or vae for none).",
      valueName: "kind"))
  var fitKind: FitModelKind

  @Option(
    help: ArgumentHelp(
      "Write the model file here (- or none: standard output).", valueName: "model.json"))
  var output: String?

  @Option(
    help: ArgumentHelp(
      "Also write a CSV line per iteration here: iteration, seconds since training started, training (minibatch) loss, monitored loss.",
      valueName: "log.csv"))
  var log: String?

  @Option(parsing: .unconditional, help: "Hidden units per layer of the MLP.")
  var width: Int = 100

  @Option(parsing: .unconditional, help: "Hidden layers of the MLP.")
  var depth: Int = 1

  @Option(help: "The MLP activation.")
  var activation: Activation = .tanh

  @Option(
    help: ArgumentHelp(
      "A VIN's potential: mlp (the default), quadratic (½k|q|²) or cosine (a Σ(1 − cos q)); vin-so3: gravity (U = e_zᵀRc, its default) or mlp (a network of R).",
      valueName: "kind"
    ))
  var potential: FitModelOptions.PotentialOption?

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
      "A VIN's mass matrix: identity or constant (learned M = LLᵀ; the default).",
      valueName: "kind"))
  var mass: FitModelOptions.MassOption?

  @Option(
    help: ArgumentHelp(
      "The data's input columns u1…um: learned (the default when the data have them; the"
        + " model's steps take u) or none (ignored).", valueName: "learned|none"))
  var inputs: InputsOption?

  @Option(
    help: ArgumentHelp(
      "The learned dissipation of vin-vv and vin-mq (F = Bu − Dq̇) and vin-so3 (τ = Bu − DΩ):"
        + " none, constant (D = LLᵀ) or configuration (D(q) = L(q)L(q)ᵀ, L from an MLP of q"
        + " with --width, --depth, --activation; of (cos q, sin q) with --angles; vin-so3: of"
        + " R's nine entries). Default: none.",
      valueName: "kind"))
  var dissipation: ForceSpecification.Dissipation?

  @Option(
    help: ArgumentHelp(
      "The learned input matrix B of vin-vv, vin-mq and vin-so3: constant or configuration"
        + " (B(q) from an MLP of q, like --dissipation configuration). Needs the data's inputs."
        + " Default: constant.",
      valueName: "kind"))
  var inputMatrix: ForceSpecification.InputMatrix?

  @Option(
    help: ArgumentHelp(
      "What vin-mq is trained on: positions (q) or velocities (q and q̇, each window starting"
        + " from its first observed state). Default: velocities when the data have them.",
      valueName: "positions|velocities"))
  var observe: FitModelOptions.ObservationOption?

  /// `--inputs`.
  enum InputsOption: String, CaseIterable, ExpressibleByArgument {
    case learned, none
  }

  // The training options left unset take `TrainingConfiguration()`'s values (a pixel model's:
  // `PixelTrainingConfiguration()`'s, and ``PixelFitDefaults``), so that the CLI and Swift
  // train alike. They are optionals so that the options a kind of model does not take are
  // refused when given.

  @Option(
    parsing: .unconditional,
    help:
      "Steps H of each training rollout (windows of H+1). (default: \(TrainingConfiguration().horizon); pixel models: \(PixelTrainingConfiguration().horizon))"
  )
  var horizon: Int?

  @Option(
    name: [.customLong("iterations"), .customLong("steps")], parsing: .unconditional,
    help:
      "Training iterations (Adam steps); --steps is an alias. (default: \(TrainingConfiguration().iterations)) Pixel models: exactly this many (default: \(PixelFitDefaults.iterations))."
  )
  var iterations: Int?

  @Option(
    parsing: .unconditional,
    help:
      "Adam's learning rate. (default: \(TrainingConfiguration().learningRate); pixel models: \(PixelFitDefaults.learningRate))"
  )
  var learningRate: Double?

  @Option(
    help: ArgumentHelp(
      "The learning rate over the run: constant, cosine (decays to 0 at the last step), or cosine-restarts (cosine cycles of --first-cycle, twice that, four times…; --stop may end the run after a cycle). (default: \(TrainingConfiguration().learningRateSchedule.rawValue))"
    ))
  var schedule: LearningRateSchedule?

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "The first cycle of cosine-restarts, in iterations. (default: \(TrainingConfiguration().firstCycleLength))",
      valueName: "iterations"))
  var firstCycle: Int?

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "With cosine-restarts: the rollout residual is at the data's noise level when at most this factor times the residual the true model would leave; a cycle that then gains more than the cycle before it fitted noise, and the run stops with the model before it (0: never). (default: \(TrainingConfiguration().stoppingRule.noiseLevelFactor ?? 0))",
      valueName: "factor"))
  var noiseLevelFactor: Double?

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "With cosine-restarts, stop after a cycle that lowered the residual sum of squares by less than this many noise variances (0: never). (default: \(TrainingConfiguration().stoppingRule.significance ?? 0))",
      valueName: "gain"))
  var significance: Double?

  @Option(
    parsing: .unconditional,
    help:
      "Windows per minibatch (default: all training windows, full batch). Pixel models: \(PixelTrainingConfiguration().batchSize ?? 0) (all when fewer)."
  )
  var batchSize: Int?

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "The seed of the initial weights, the split and the minibatches (default: \(TrainingConfiguration().seed)).",
      valueName: "seed"),
    transform: Seed.parse)
  var seed = TrainingConfiguration().seed

  @Option(
    parsing: .unconditional,
    help:
      "Fraction of windows held out for validation (0: the training loss is monitored). (default: \(TrainingConfiguration().validationFraction))"
  )
  var validationFraction: Double?

  @Option(
    help:
      "The loss: nll (Gaussian, learned noise scale) or mse. (default: \(TrainingConfiguration().loss.rawValue))"
  )
  var loss: RolloutLossKind?

  @Option(
    help: ArgumentHelp(
      "Rollout starts: learned (inferred, optimised per window) or first-observation (naive). (default: \(TrainingConfiguration().initialStates.rawValue))"
    ))
  var initialState: InitialStateInference?

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

  // Pixel models (--frames).

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "With --frames: the time step h between frames (required).", valueName: "h"))
  var dt: Double?

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "With --frames: hidden units of the encoder's two layers. (default: \(PixelFitDefaults.encoderWidth); the paper's: 1000)",
      valueName: "width"))
  var encoderWidth: Int?

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "With --frames: hidden units of the decoder's two layers. (default: \(PixelFitDefaults.decoderWidth); the paper's: 1000)",
      valueName: "width"))
  var decoderWidth: Int?

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "With --frames: the dimension d of the latent configuration (1 for vin-so2). (default: 1)",
      valueName: "d"))
  var latentDimension: Int?

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "With --frames: the frames the initial latent state is inferred from (the velocity encoder's sequence; vin-so2 and vin-sv use the first 2, vae 1). (default: \(PixelFitDefaults.context))",
      valueName: "frames"))
  var context: Int?

  @Flag(
    inversion: .prefixedNo,
    help: ArgumentHelp(
      "With --frames and --model vin-so2: start the encoder on the frames' spectral embedding (a Laplacian eigenmap, 20 neighbours; 300 regression steps) and hold it for the first 300 iterations, or not. Aligns the latent angle with the true one where the plain start can fold it; see Docs/Learning.md. (default: --spectral-start)"
    ))
  var spectralStart: Bool?

  /// The spectral-start flag as given (`--spectral-start` or `--no-spectral-start`), if given.
  var spectralStartFlag: String? {
    spectralStart.map { $0 ? "--spectral-start" : "--no-spectral-start" }
  }

  func run() throws {
    switch (dataFiles.isEmpty, frameFiles.isEmpty) {
    case (false, true): try fitTrajectories()
    case (true, false): try fitFrames()
    case (false, false):
      throw LearningCommandError.invalidOption(
        option: "--frames", value: "'\(frameFiles[0])'",
        requirement:
          "cannot be combined with --data: fit a model of trajectories (--data FILE.csv) or a pixel model (--frames FILE.npy)"
      )
    case (true, true):
      throw LearningCommandError.invalidOption(
        option: "--data", value: "missing",
        requirement:
          "vin fit needs trajectories (--data FILE.csv) or videos (--frames FILE.npy)")
    }
  }

  /// The options that are given, of those named in `options` (name, whether given).
  static func given(_ options: [(String, Bool)]) -> [String] {
    options.filter(\.1).map(\.0)
  }

  /// `vin fit --data`: a model of trajectories.
  func fitTrajectories() throws {
    let pixelOptions = Self.given([
      ("--dt", dt != nil), ("--encoder-width", encoderWidth != nil),
      ("--decoder-width", decoderWidth != nil), ("--latent-dimension", latentDimension != nil),
      ("--context", context != nil), (spectralStartFlag ?? "", spectralStart != nil),
    ])
    if !pixelOptions.isEmpty {
      throw LearningCommandError.inapplicableOptions(
        pixelOptions, kind: "models of trajectories (--data)",
        hint: "they shape pixel models (--frames); the t column gives the step size")
    }
    guard case .dynamics(let kind) = fitKind else {
      throw LearningCommandError.invalidOption(
        option: "--model", value: fitKind.name,
        requirement: "is a pixel model without dynamics: fit it to videos with --frames FILE.npy")
    }
    var architecture = FitModelOptions(
      width: width, depth: depth, activation: activation, potential: potential,
      mass: mass ?? .constant, inertiaScale: inertiaScale, angles: angles,
      dissipation: dissipation ?? .none, inputMatrix: inputMatrix ?? .constant, observe: observe)
    let configuration = try trainingConfiguration()
    let target = try OutputTarget(output)
    let logTarget = try log.map { path throws(CommandError) in try OutputTarget(path) }
    var files: [TrajectoryFile] = []
    for path in dataFiles { files.append(try TrajectoryFile(path: path)) }
    let stepSize = try TrajectoryFile.commonStepSize(files)
    architecture.inputs = try Self.inputCount(files, inputs)
    architecture.dataHaveVelocities = files.allSatisfy { $0.trajectory.hasVelocities }
    let layout = files[0].trajectory.layout
    let dimension = files[0].trajectory.dimension
    for file in files where !kind.observationLayouts.contains(file.trajectory.layout) {
      throw LearningCommandError.layout(path: file.path, file.trajectory.layout, model: kind)
    }
    for file in files where file.trajectory.layout != layout {
      throw LearningCommandError.mixedLayouts(
        path: file.path, file.trajectory.layout, firstPath: files[0].path, layout)
    }
    var generator = SeededGenerator(seed: seed)
    let model: any SpecifiedModel
    do {
      model = try architecture.specification(
        kind: kind, layout: layout, dimension: dimension, stepSize: stepSize
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
      if model.observesVelocities, !file.trajectory.hasVelocities {
        throw LearningCommandError.data(path: file.path, .missingVelocities(model: kind.rawValue))
      }
    }
    var logLines = ["iteration,seconds,loss,monitored_loss"]
    let (json, summary) = try Self.train(model, on: files.map(\.trajectory), configuration) {
      progress in
      guard logTarget != nil else { return }
      let seconds = Double(progress.iteration) / progress.iterationsPerSecond
      let monitored = progress.monitored == .validation ? progress.validationLoss : nil
      logLines.append(
        "\(progress.iteration),\(seconds),\(progress.loss),\(monitored ?? progress.loss)")
    }
    try Self.save(json, to: target, kind: kind.rawValue)
    if let logTarget {
      try OutputFiles.deliver(logLines.joined(separator: "\n") + "\n", to: logTarget)
    }
    report(summary, kind: kind, to: target)
    if case .nonFiniteLoss = summary.stopReason { throw ExitCode(2) }
  }

  /// The number of inputs to learn: the first file's input columns with `--inputs learned` or
  /// unset, 0 with `--inputs none`.
  /// - Throws: ``LearningCommandError/data(path:_:)`` naming a file whose input columns differ
  ///   from the first's; ``LearningCommandError/invalidOption(option:value:requirement:)`` for
  ///   `--inputs learned` on data without inputs.
  static func inputCount(_ files: [TrajectoryFile], _ option: InputsOption?)
    throws(LearningCommandError) -> Int
  {
    if option == InputsOption.none { return 0 }
    let m = files[0].trajectory.inputCount
    if option == .learned, m == 0 {
      throw .invalidOption(
        option: "--inputs", value: "learned",
        requirement: "needs input columns u1… in the data ('\(files[0].path)' has none)")
    }
    for file in files.dropFirst() where file.trajectory.inputCount != m {
      throw .data(
        path: file.path,
        .dimensionMismatch(
          name: "input columns u1… (as in '\(files[0].path)')", expected: m,
          actual: file.trajectory.inputCount))
    }
    return m
  }

  /// The training settings from the options, checked by
  /// ``TrainingConfiguration/validate()`` (and the architecture's sizes here).
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
    try require(
      (inertiaScale ?? 1).isFinite && (inertiaScale ?? 1) > 0, "--inertia-scale",
      inertiaScale ?? 1, "must be positive and finite")
    var configuration = TrainingConfiguration()
    configuration.horizon = horizon ?? configuration.horizon
    configuration.iterations = iterations ?? configuration.iterations
    configuration.learningRate = learningRate ?? configuration.learningRate
    configuration.learningRateSchedule = schedule ?? configuration.learningRateSchedule
    configuration.firstCycleLength = firstCycle ?? configuration.firstCycleLength
    let significance = significance ?? configuration.stoppingRule.significance ?? 0
    let noiseLevelFactor = noiseLevelFactor ?? configuration.stoppingRule.noiseLevelFactor ?? 0
    configuration.stoppingRule = StoppingRule(
      significance: significance == 0 ? nil : significance,
      noiseLevelFactor: noiseLevelFactor == 0 ? nil : noiseLevelFactor)
    configuration.batchSize = batchSize
    configuration.seed = seed
    configuration.validationFraction = validationFraction ?? configuration.validationFraction
    configuration.patience = patience
    configuration.initialStateLearningRate = initialStateLearningRate
    configuration.loss = loss ?? configuration.loss
    configuration.initialStates = initialState ?? configuration.initialStates
    do {
      try configuration.validate()
    } catch {
      if case .invalidConfiguration(let name, let value, let requirement) = error,
        let option = Self.options[name]
      {
        throw .invalidOption(option: option, value: value, requirement: requirement)
      }
      throw .training(error)
    }
    return configuration
  }

  /// The option of each ``TrainingConfiguration`` setting that
  /// ``TrainingConfiguration/validate()`` names.
  static let options = [
    "horizon": "--horizon", "iterations": "--iterations", "batch size": "--batch-size",
    "learning rate": "--learning-rate",
    "initial-state learning rate": "--initial-state-learning-rate",
    "validation fraction": "--validation-fraction", "patience": "--patience",
    "first cycle length": "--first-cycle", "noise level factor": "--noise-level-factor",
    "significance": "--significance",
  ]

  /// Writes the model file to `target`. When that fails (a full disk, `/dev/full`), the
  /// trained model is saved to a file in the temporary directory instead, and the error says
  /// where (or that it is lost, if that fails too).
  static func save(_ json: Data, to target: OutputTarget, kind: String) throws(CommandError) {
    do {
      try OutputFiles.deliver(String(decoding: json, as: UTF8.self), to: target)
    } catch {
      let rescue = FileManager.default.temporaryDirectory
        .appendingPathComponent("vin-fit-\(kind)-\(getpid()).json").path
      do throws(FileWriteError) {
        try AtomicFile.write(String(decoding: json, as: UTF8.self), to: rescue)
      } catch let rescueError {
        throw .modelLost(error, rescue: rescueError)
      }
      throw .modelRescued(error, rescue: rescue)
    }
  }

  /// Trains `model` with progress on standard error and Ctrl-C handling; returns the model
  /// file's JSON and the training summary.
  static func train<Model: RolloutModel>(
    _ model: Model, on trajectories: [ObservedTrajectory], _ configuration: TrainingConfiguration,
    record: @escaping (TrainingProgress) -> Void = { _ in }
  ) throws(LearningCommandError) -> (json: Data, summary: TrainingSummary) {
    InterruptFlag.install()
    var line = ProgressLine()
    let result: TrainingResult<Model>
    do {
      result = try Trainer(configuration: configuration).train(model, on: trajectories) {
        progress in
        line.show(progress)
        record(progress)
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
  func report(_ summary: TrainingSummary, kind: ModelKind, to target: OutputTarget) {
    let destination = target.name
    let best =
      "best \(summary.validationWindows > 0 ? "validation" : "training") loss \(summary.bestLoss) at iteration \(summary.bestIteration)"
    switch summary.stopReason {
    case .nonFiniteLoss:
      let cause =
        kind.hasImplicitSteps
        ? " (\(kind.rawValue) steps implicitly: most likely a step found no root in some window, even after \(summary.stepBacks ?? 0) updates were undone and retaken at half the learning rate; a shorter --horizon may avoid it)"
        : ""
      printToStandardError(
        "warning: \(summary.stopReason)\(cause); wrote the \(kind.rawValue) model with the \(best) to \(destination)"
      )
    case .converged:
      printToStandardError(
        "\(kind.rawValue): \(summary.stopReason); kept the model of iteration \(summary.bestIteration) (\(summary.monitored.rawValue) loss \(summary.bestLoss)); model written to \(destination)"
      )
    default:
      printToStandardError(
        "\(kind.rawValue): \(summary.stopReason) after \(summary.iterations) iterations, \(best); model written to \(destination)"
      )
    }
    if let stepBacks = summary.stepBacks, !summary.stopReason.isDivergence {
      printToStandardError(
        "note: \(stepBacks) update\(stepBacks == 1 ? "" : "s") led to a non-finite loss (a step without a root, or an overflow) and \(stepBacks == 1 ? "was" : "were") undone and retaken at half the learning rate"
      )
    }
    if let warning = summary.earlyBestWarning { printToStandardError("warning: \(warning)") }
    if let warning = summary.budgetWarning { printToStandardError("warning: \(warning)") }
  }
}
