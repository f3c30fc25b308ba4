import ArgumentParser
import Foundation
import VINKit

/// `vin forecast`: rolls a fitted model forward from an initial state and writes the trajectory
/// in the CSV layout of `vin simulate` (DESIGN §4); a pixel model forecasts frames from the
/// first frames of a video (``forecastFrames(context:)``).
struct ForecastCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "forecast",
    abstract: "Forecast with a fitted model and write the trajectory as CSV (or frames).",
    discussion: """
      Columns: t,q1..qn,v1..vn,learned_energy, the layout of `vin simulate` with t = k h from \
      the model's step size h. The energy is the learned model's, Ê = ½ vᵀM̂v + V̂(q) (its \
      column is learned_energy; simulate's `energy` is the true system's); the baselines \
      (resnet, feedforward) have none and write nan in that column.

      --truth FILE.csv (with --plot only: the CSV is the forecast alone; score a forecast with \
      `vin evaluate`) draws a true trajectory beside the forecast, dashed, and the file's \
      energy error E(t) − E(0) beside the learned Ê(t) − Ê(0). The truth must be sampled \
      with the model's step size, in its layout.

      --q0 is required (model files store no trajectory); --v0 defaults to zero.

      A model fitted to data with inputs (its steps take u1…um) needs --control: a CSV file       t,u1,…,um (a `vin simulate --control` output drives it too), or a signal       random:std=S,hold=T[,seed=K] or sine:amplitude=A,frequency=F, held over each step as in       `vin simulate`; the rows then end with u1…um.

      A model on SO(3) (vin-so3, or a resnet or feedforward fitted to SO(3) data) writes the \
      SO(3) layout of `vin simulate heavy-top`, t,R11..R33,w1,w2,w3,learned_energy, from \
      --q0 = the initial attitude as a rotation vector (exponential coordinates, \
      R₀ = exp(q̂0)) and --v0 = the body angular velocity Ω₀; vin-so3's energy is the learned \
      ½ΩᵀJΩ + U(R). A baseline's predicted attitude is written as the rotation nearest to it.

      A pixel model (`vin fit --frames`) forecasts frames instead: --context FILE.npy, whose \
      first frames (--context of the fit; more are ignored) give the initial latent state (the \
      encoder's estimate, moved to the state whose decoded rollout best explains those \
      frames), and --output \
      PRED.npy, frames 0…N as a float32 array (T, size, size), frame k the prediction of the \
      context file's frame k. --gif also writes an animation, the context file's frames (the \
      truth, black) beside the forecast (vermilion); --png a strip of every k-th frame, truth \
      above forecast (k such that at most 20 frames are shown). --q0, --v0, --truth, --control \
      and --plot do not apply. A plain VAE (vae) has no dynamics and cannot forecast.
      """
  )

  @Option(help: ArgumentHelp("The model file written by `vin fit`.", valueName: "model.json"))
  var model: String

  @Option(
    name: .customLong("q0"), parsing: .unconditional,
    help: ArgumentHelp(
      "Initial configuration, comma-separated (on SO(3): a rotation vector).",
      valueName: "x,y,..."))
  var position: String?

  @Option(
    name: .customLong("v0"), parsing: .unconditional,
    help: ArgumentHelp(
      "Initial velocity, comma-separated (on SO(3): body angular velocity Ω; default 0).",
      valueName: "x,y,..."))
  var velocity: String?

  @Option(parsing: .unconditional, help: "The number of steps.")
  var steps: Int

  @Option(
    help: ArgumentHelp(
      "A true trajectory to draw beside the forecast in the --plot (the model's step size and layout).",
      valueName: "file.csv"))
  var truth: String?

  @Option(
    help: ArgumentHelp(
      "The inputs of a model that takes them: a CSV file t,u1,…,um or a signal (random:…, sine:…).",
      valueName: "file.csv|signal"))
  var control: String?

  @Option(
    help: ArgumentHelp(
      "A pixel model's context: a video (.npy) whose first frames give the initial latent state.",
      valueName: "file.npy"))
  var context: String?

  @Option(
    help: ArgumentHelp(
      "With --context: also an animated GIF of the truth beside the forecast.",
      valueName: "file.gif"))
  var gif: String?

  @Option(
    help: ArgumentHelp(
      "With --context: also a PNG strip, the truth (black) above the forecast (colour).",
      valueName: "file.png"))
  var png: String?

  @OptionGroup var output: OutputOptions

  func run() throws {
    guard steps >= 0, steps < Int.max else { throw CommandError.invalidStepCount(steps) }
    if let context {
      try forecastFrames(context: context)
      return
    }
    let frameOptions = FitCommand.given([("--gif", gif != nil), ("--png", png != nil)])
    if !frameOptions.isEmpty {
      throw LearningCommandError.inapplicableOptions(
        frameOptions, kind: "forecasts of trajectories",
        hint: "they draw the frames of a pixel model's forecast (--context FILE.npy)")
    }
    guard let position else {
      throw LearningCommandError.invalidOption(
        option: "--q0", value: "missing",
        requirement:
          "is needed to forecast a model of trajectories (a pixel model forecasts from --context FILE.npy)"
      )
    }
    let outputs = try OutputPlan(output)
    if let truth, outputs.plot == nil {
      throw LearningCommandError.invalidOption(
        option: "--truth", value: "'\(truth)'",
        requirement:
          "needs --plot: the truth is only drawn in the plot (the CSV is the forecast; score it with `vin evaluate`)"
      )
    }
    let targets = [("--output", outputs.csv)] + (outputs.plot.map { [("--plot", .file($0))] } ?? [])
    for (option, target) in targets {
      let controlFile = control.flatMap { spec in
        spec.hasPrefix("random:") || spec.hasPrefix("sine:") ? nil : spec
      }
      let inputFiles =
        [("--model", model)] + (truth.map { [("--truth", $0)] } ?? [])
        + (controlFile.map { [("--control", $0)] } ?? [])
      for (input, path) in inputFiles where target.replaces(path) {
        throw LearningCommandError.invalidOption(
          option: option, value: "'\(path)'",
          requirement: "names the \(input) file, which writing it would replace")
      }
    }
    let saved = try LoadedModel(path: model).trajectories(for: "`vin forecast --q0`")
    let truthFile = try truth.map { path throws(LearningCommandError) in
      let file = try TrajectoryFile(path: path)
      try file.checkSampling(of: saved)
      return file
    }
    let n = saved.model.configurationDimension
    let layout = saved.model.observationLayout
    let rows: RowLayout = layout == .rigidBody ? .rigidBody : .coordinates(dimension: n)
    // The forecast is held in memory: q, v (and R) per row, in arrays of arrays.
    try MemoryBudget.check(rows: steps + 1, bytesPerRow: 3 * rows.columns * 8 + 64)
    let q0 = try Self.vector(position, option: "--q0", dimension: n, model: saved)
    let v0 =
      try velocity.map { text in
        try Self.vector(text, option: "--v0", dimension: n, model: saved)
      } ?? Array(repeating: 0, count: n)
    let initial: MechanicalState =
      switch layout {
      case .coordinates: .coordinates(position: q0, velocity: v0)
      case .rigidBody:
        .rigidBody(
          attitude: SO3.exp(Vector3(q0[0], q0[1], q0[2])),
          angularVelocity: Vector3(v0[0], v0[1], v0[2]))
      }
    // u_0…u_N: the forecast holds u_k over step k, row k shows it (row N the final value).
    let inputs = try Self.inputs(control, steps: steps, model: saved)
    let table = ForecastTable(
      try saved.forecast(from: initial, inputs: Array(inputs.prefix(steps)), steps: steps),
      inputs: inputs)
    let csv = try BufferedOutput(outputs.csv)
    do {
      if table.count > 0 {
        try csv.reserve(rows: table.count, bytesPerRow: CSVFormat.line(table.row(0)).utf8.count)
      }
      try CSVFormat.write(table, to: csv)
    } catch {
      csv.discard()
      throw error
    }
    try OutputFiles.finish(csv, plot: outputs.plot) {
      ForecastFigure.make(
        table, hasEnergy: table.hasEnergy, truth: truthFile, title: title(saved),
        subtitle: subtitle(saved, q0, v0)
      ).svg()
    }
  }

  /// A list option with one entry per coordinate of the model (on SO(3), 3: a rotation vector
  /// or Ω).
  static func vector(_ text: String, option: String, dimension: Int, model: SavedModel) throws
    -> [Double]
  {
    let values = try NumberList.parse(text, option: option)
    guard values.count == dimension else {
      let requirement =
        switch model.model.observationLayout {
        case .coordinates:
          "has \(values.count) entries, the model in '\(model.path)' has dimension \(dimension)"
        case .rigidBody:
          "has \(values.count) entries, the \(model.model.kind.rawValue) model on SO(3) in '\(model.path)' needs 3 (\(option == "--q0" ? "a rotation vector" : "the body angular velocity Ω"))"
        }
      throw LearningCommandError.invalidOption(
        option: option, value: "'\(text)'", requirement: requirement)
    }
    return values
  }

  func title(_ saved: SavedModel) -> String {
    "Forecast of the learned \(saved.model.kind.rawValue) model"
  }

  func subtitle(_ saved: SavedModel, _ q0: [Double], _ v0: [Double]) -> String {
    func list(_ values: [Double]) -> String {
      values.map { String(format: "%g", $0) }.joined(separator: ", ")
    }
    return
      "h = \(String(format: "%g", saved.model.stepSize))  ·  \(steps) steps  ·  q0 = (\(list(q0)))  ·  v0 = (\(list(v0)))  ·  \(model)"
  }
}

extension ForecastCommand {
  /// The inputs `u_0…u_N` of a forecast of `steps` steps from `--control` (`u_k` held over
  /// step k; `u_N` the value at the final time, for its row): none for a model without inputs.
  /// - Throws: ``LearningCommandError/invalidOption(option:value:requirement:)`` for a missing
  ///   `--control` (a model with inputs) or one that is not needed; the signal's
  ///   ``CommandError/invalidControl(_:detail:)``.
  static func inputs(_ control: String?, steps: Int, model saved: SavedModel) throws -> [[Double]] {
    let m = saved.model.inputCount
    guard m > 0 else {
      if let control {
        throw LearningCommandError.invalidOption(
          option: "--control", value: "'\(control)'",
          requirement: "drives a model's inputs; '\(saved.path)' takes none")
      }
      return []
    }
    guard let control else {
      throw LearningCommandError.invalidOption(
        option: "--control", value: "missing",
        requirement:
          "is needed: the model '\(saved.path)' takes \(m) input\(m == 1 ? "" : "s") (u1…)")
    }
    let signal = try ControlSignal(parsing: control)
    let h = saved.model.stepSize
    try signal.validate(inputs: m, steps: steps, stepSize: h, subject: "model '\(saved.path)'")
    var sequence = signal.sequence(inputs: m, stepSize: h)
    return (0...steps).map { sequence.input(atStep: $0) }
  }
}
