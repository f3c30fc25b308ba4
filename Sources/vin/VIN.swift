import ArgumentParser

/// `vin`: simulate mechanical systems with structure-preserving integrators (and, with the
/// learning commands, fit and forecast Variational Integrator Networks).
///
/// Every subcommand reports a bad input or a failure as one line on standard error, naming the
/// offending value, and exits with a non-zero status; files are written atomically, so a failed
/// run leaves no output file behind.
@main
struct VIN: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "vin",
    abstract: "Structure-preserving integrators and Variational Integrator Networks.",
    discussion: """
      Simulate a built-in system and write its trajectory as CSV (and an SVG plot):

        vin simulate pendulum --dt 0.05 --steps 2000 --plot pendulum.svg

      See `vin systems` for the systems, their parameters and integrators.
      """,
    subcommands: [
      SimulateCommand.self, SystemsCommand.self, FitCommand.self, ForecastCommand.self,
      EvaluateCommand.self,
    ]
  )
}
