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
      truth has after it. Per-step CSV (columns t,squared_error,energy): squared_error = \
      Σᵢ (q̂ᵢ − qᵢ)² + (v̂ᵢ − vᵢ)², energy = the forecast's learned energy (nan for baselines); \
      to --output, or to standard output. For a vin-so3 model the truth is in the SO(3) layout \
      (t,R11..R33,w1,w2,w3,...) and squared_error = |log(R̂ᵀR)|² + |Ω̂ − Ω|², the squared \
      geodesic attitude distance plus the squared body angular velocity error; the summary \
      adds the mean geodesic attitude error |log(R̂ᵀR)| in radians.

      Summary (on standard output with --output, else on standard error): the mean squared \
      error over steps 1..N, and the energy drift of the forecast, the least-squares slope of \
      the block maxima of |E(t) − E(0)| over ten blocks, per unit time.
      """
  )

  @Option(help: ArgumentHelp("The model file written by `vin fit`.", valueName: "model.json"))
  var model: String

  @Option(
    help: ArgumentHelp(
      "The true trajectory (t,q1..qn,v1..vn,... or SO(3) t,R11..R33,w1,w2,w3,...), sampled with the model's step size.",
      valueName: "file.csv"))
  var truth: String

  @Option(help: ArgumentHelp("Write the per-step CSV to this file.", valueName: "file.csv"))
  var output: String?

  func run() throws {
    let target = try OutputTarget(output)
    let saved = try SavedModel(path: model)
    let truthFile = try TrajectoryFile(path: truth)
    let evaluation = try ForecastEvaluation(model: saved, truth: truthFile)
    var csv = "t,squared_error,energy\n"
    for k in evaluation.times.indices {
      csv += CSVFormat.line([
        evaluation.times[k], evaluation.squaredErrors[k], evaluation.energies[k],
      ])
    }
    try OutputFiles.deliver(csv, to: target)
    let summary = evaluation.summary(modelPath: model, truthPath: truth)
    if target == .standardOutput {
      printToStandardError(summary)
    } else {
      try StandardOutput.write(summary + "\n")
    }
  }
}
