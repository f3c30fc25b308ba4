import ArgumentParser
import Foundation
import Plotting
import VINKit

/// `vin simulate SYSTEM`: integrates a built-in system and writes its trajectory as CSV
/// (DESIGN §4), optionally with Gaussian noise for training data and an SVG plot.
struct SimulateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "simulate",
    abstract: "Integrate a built-in system and write its trajectory as CSV.",
    discussion: """
      Columns: t,q1..qn,v1..vn,energy (R^n and SO(2), v = M(q)⁻¹p), or \
      t,R11..R33,w1,w2,w3,energy (SO(3), w = body angular velocity Ω); energy is the true \
      system's E (a forecast's column is learned_energy). One row per step including t = 0; \
      numbers round-trip exactly.

      --noise adds independent N(0, σ²) noise to the q and v columns (on SO(3): R ← R exp(ξ̂) \
      and w), the same for the same --seed; t and energy stay exact.

      --control drives the system's inputs (see `vin systems`), held over each step: a CSV \
      file with columns t,u1,…,um covering the run, random:std=S,hold=T[,seed=K] (N(0, S²) \
      values held T time units) or sine:amplitude=A,frequency=F. The rows then end with \
      u1,…,um, row k holding the input applied from t_k to t_(k+1). A damped system \
      (--param damping=…) is integrated with its dissipation, with or without --control.
      """
  )

  @Argument(
    help: ArgumentHelp("The system (see `vin systems`).", valueName: "system"),
    completion: .list(SystemCatalog.names))
  var system: String

  @Option(help: "The integrator (default: the system's; see `vin systems`).")
  var integrator: String?

  @Option(name: .customLong("dt"), parsing: .unconditional, help: "The step size h > 0.")
  var stepSize: Double = 0.01

  @Option(parsing: .unconditional, help: "The number of steps.")
  var steps: Int = 1000

  @OptionGroup var initialCondition: InitialConditionOptions

  @Option(
    name: .customLong("param"), parsing: .unconditionalSingleValue,
    help: ArgumentHelp("Set a system parameter (repeatable).", valueName: "name=value"))
  var parameters: [String] = []

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("Add Gaussian noise of this standard deviation.", valueName: "sigma"))
  var noise: Double?

  @Option(parsing: .unconditional, help: "The seed of the noise.", transform: Seed.parse)
  var seed: UInt64 = 0

  @Option(
    help: ArgumentHelp(
      "The inputs: a CSV file t,u1,…,um, random:std=S,hold=T[,seed=K] or sine:amplitude=A,frequency=F.",
      valueName: "file.csv|signal"))
  var control: String?

  @OptionGroup var output: OutputOptions

  func run() throws {
    let entry = try SystemCatalog.entry(named: system)
    let method = try entry.integrator(named: integrator ?? entry.defaultIntegrator)
    guard stepSize.isFinite, stepSize > 0 else { throw CommandError.invalidStepSize(stepSize) }
    guard steps >= 0, steps < Int.max else { throw CommandError.invalidStepCount(steps) }
    guard (Double(steps) * stepSize).isFinite else {
      throw CommandError.finalTimeNotFinite(stepSize: stepSize, steps: steps)
    }
    if let noise, !(noise.isFinite && noise >= 0) { throw CommandError.invalidNoise(noise) }
    var assignments: [ParameterAssignment] = []
    for text in parameters { assignments.append(try ParameterAssignment(parsing: text)) }
    let signal = try control.map { spec throws(CommandError) in try ControlSignal(parsing: spec) }
    let setup = try entry.setup(
      position: initialCondition.position, velocity: initialCondition.velocity,
      assignments: assignments, stepSize: stepSize, steps: steps, control: signal)
    let outputs = try OutputPlan(output)

    let csv = try BufferedOutput(outputs.csv)
    let stream = TrajectoryStream(
      source: "simulation of '\(entry.name)' with '\(method.name)'", rows: steps + 1, output: csv,
      noise: noise, seed: seed, keepsRowsForPlot: outputs.plot != nil)
    do {
      try method.simulate(setup, stream)
    } catch let error as IntegrationError {
      csv.discard()
      throw CommandError(error, system: entry.name, integrator: method.name)
    } catch {
      csv.discard()
      throw error
    }
    try OutputFiles.finish(csv, plot: outputs.plot) {
      stream.table()?.figure(title: title(entry, method), subtitle: subtitle(entry, setup)).svg()
        ?? ""
    }
  }

  func title(_ entry: SystemEntry, _ method: IntegratorEntry) -> String {
    "\(entry.name), integrator \(method.name)"
  }

  /// Step size, steps, initial condition, parameters and noise, for the plot.
  func subtitle(_ entry: SystemEntry, _ setup: SimulationSetup) -> String {
    func list(_ values: [Double]) -> String { values.map(compact).joined(separator: ", ") }
    var run = [
      "h = \(compact(setup.stepSize))", "\(setup.steps) steps",
      "q0 = (\(list(setup.position)))", "v0 = (\(list(setup.velocity)))",
    ]
    if let noise, noise > 0 { run.append("noise σ = \(compact(noise)), seed \(seed)") }
    let parameters = entry.parameters.map { "\($0.name) = \(compact(setup.parameter($0.name)))" }
    return run.joined(separator: "  ·  ")
      + (parameters.isEmpty ? "" : "\n" + parameters.joined(separator: ", "))
  }

  /// Up to six significant digits, with a typographic minus.
  func compact(_ value: Double) -> String {
    String(format: "%g", value).replacingOccurrences(of: "-", with: "\u{2212}")
  }
}
