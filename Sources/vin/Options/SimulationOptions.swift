import ArgumentParser
import Foundation
import VINKit

/// The system and run of `vin simulate` and `vin render`: the system, the integrator, `--dt`,
/// `--steps`, the initial condition, `--param`, `--noise`/`--seed` and `--control`.
struct SimulationOptions: ParsableArguments {
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

  /// The system, its integrator and the checked setup.
  ///
  /// - Throws: ``CommandError`` naming an unknown system or integrator, a step size, step count
  ///   or noise out of range, a malformed parameter, initial condition or control.
  func prepare() throws(CommandError) -> (
    entry: SystemEntry, method: IntegratorEntry, setup: SimulationSetup
  ) {
    let entry = try SystemCatalog.entry(named: system)
    let method = try entry.integrator(named: integrator ?? entry.defaultIntegrator)
    guard stepSize.isFinite, stepSize > 0 else { throw .invalidStepSize(stepSize) }
    guard steps >= 0, steps < Int.max else { throw .invalidStepCount(steps) }
    guard (Double(steps) * stepSize).isFinite else {
      throw .finalTimeNotFinite(stepSize: stepSize, steps: steps)
    }
    if let noise, !(noise.isFinite && noise >= 0) { throw .invalidNoise(noise) }
    var assignments: [ParameterAssignment] = []
    for text in parameters { assignments.append(try ParameterAssignment(parsing: text)) }
    let signal = try control.map { spec throws(CommandError) in try ControlSignal(parsing: spec) }
    let setup = try entry.setup(
      position: initialCondition.position, velocity: initialCondition.velocity,
      assignments: assignments, stepSize: stepSize, steps: steps, control: signal)
    return (entry, method, setup)
  }

  /// The plot's title: the system and the integrator.
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

  /// Integrates the system, sending its rows to `stream`.
  ///
  /// - Throws: ``CommandError`` for a failed step (naming the system and integrator) and the
  ///   stream's errors.
  func simulate(
    _ entry: SystemEntry, _ method: IntegratorEntry, _ setup: SimulationSetup,
    into stream: TrajectoryStream
  ) throws {
    do {
      try method.simulate(setup, stream)
    } catch let error as IntegrationError {
      throw CommandError(error, system: entry.name, integrator: method.name)
    }
  }
}
