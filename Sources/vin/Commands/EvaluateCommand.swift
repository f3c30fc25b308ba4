import ArgumentParser
import Foundation
import VINKit

/// `vin evaluate`: forecasts a fitted model from the first state of a true trajectory and
/// compares, step by step.
struct EvaluateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "evaluate",
    abstract: "Compare a fitted model's forecast with a true trajectory.",
    discussion: """
      The forecast starts at the truth's first row (q, v) and runs for as many steps as the \
      truth has after it. The truth must be sampled with the model's step size, in its layout.

      Summary, the last lines on standard output: the mean squared error over steps 1..N, and \
      the energy drift of the forecast's learned energy, the least-squares slope of the block \
      maxima of |E(t) − E(0)| over ten blocks, per unit time. With --summary json it is one \
      JSON object instead, {"steps":N,"mean_squared_error":…,"energy_drift":…, \
      "max_energy_error":…} (null where there is no energy drift; numbers read back as the \
      same double).

      Per-step rows only with --output (columns t,squared_error,learned_energy): \
      squared_error = Σᵢ (q̂ᵢ − qᵢ)² + (v̂ᵢ − vᵢ)², learned_energy = the forecast's learned \
      energy (nan for baselines). With --output - the rows go to standard output and the \
      summary to standard error.

      For a vin-so3 model the truth is in the SO(3) layout (t,R11..R33,w1,w2,w3,...) and \
      squared_error = |log(R̂ᵀR)|² + |Ω̂ − Ω|², the squared geodesic attitude distance plus the \
      squared body angular velocity error; the summary adds the mean geodesic attitude error \
      |log(R̂ᵀR)| in radians ("mean_geodesic_error" in JSON).
      """
  )

  /// How the summary is printed.
  enum SummaryFormat: String, CaseIterable, ExpressibleByArgument {
    /// Lines of text.
    case text
    /// One JSON object.
    case json
  }

  @Option(help: ArgumentHelp("The model file written by `vin fit`.", valueName: "model.json"))
  var model: String

  @Option(
    help: ArgumentHelp(
      "The true trajectory (t,q1..qn,v1..vn,... or SO(3) t,R11..R33,w1,w2,w3,...), sampled with the model's step size.",
      valueName: "file.csv"))
  var truth: String

  @Option(
    help: ArgumentHelp(
      "Write the per-step CSV (t,squared_error,learned_energy) to this file ('-': standard output).",
      valueName: "file.csv"))
  var output: String?

  @Option(
    help: ArgumentHelp(
      "The summary's format: lines of text, or one JSON object.", valueName: "format"))
  var summary: SummaryFormat = .text

  func run() throws {
    let target = try output.map { path throws(CommandError) in try OutputTarget(path) }
    for (input, path) in [("--model", model), ("--truth", truth)]
    where target?.replaces(path) == true {
      throw LearningCommandError.invalidOption(
        option: "--output", value: "'\(path)'",
        requirement: "names the \(input) file, which writing it would replace")
    }
    let saved: SavedModel
    switch try LoadedModel(path: model) {
    case .pixels(let pixelModel):
      try evaluateFrames(pixelModel, target: target)
      return
    case .trajectories(let trajectoryModel):
      guard !truth.lowercased().hasSuffix(".npy") else {
        throw LearningCommandError.wrongModelKind(
          path: model, found: .trajectories, use: "`vin evaluate --truth FILE.npy`")
      }
      saved = trajectoryModel
    }
    let truthFile = try TrajectoryFile(path: truth)
    let evaluation = try ForecastEvaluation(model: saved, truth: truthFile)
    let text = summary == .json ? evaluation.jsonSummary() : evaluation.summary()
    guard let target else {
      try StandardOutput.write(text + "\n")
      return
    }
    var csv = "t,squared_error,\(EnergyColumn.learned.rawValue)\n"
    for k in evaluation.times.indices {
      csv += CSVFormat.line([
        evaluation.times[k], evaluation.squaredErrors[k], evaluation.energies[k],
      ])
    }
    try OutputFiles.deliver(csv, to: target)
    if target == .standardOutput {
      printToStandardError(text)
    } else {
      try StandardOutput.write(text + "\n")
    }
  }
}
