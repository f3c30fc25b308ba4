import ArgumentParser
import FileOutput
import Foundation
import VINKit

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
    version: "0.1.0",
    subcommands: [
      SimulateCommand.self, SystemsCommand.self, RenderCommand.self, FitCommand.self,
      ForecastCommand.self, EvaluateCommand.self,
    ]
  )

  /// Parses and runs the command; any error is one line `Error: …` on standard error.
  static func main() {
    TemporaryFiles.install()
    let arguments = Array(CommandLine.arguments.dropFirst())
    do {
      var command = try parseAsRoot(arguments)
      try command.run()
    } catch {
      exit(reporting: error, arguments: arguments)
    }
  }

  /// Exits with `error`'s status after printing it as one line (help and `--version` are
  /// printed in full, an `ExitCode` silently). A missing option ends with the usage of the
  /// subcommand that needs it.
  static func exit(reporting error: any Error, arguments: [String]) -> Never {
    if let code = error as? ExitCode { Foundation.exit(code.rawValue) }
    let code = exitCode(for: error)
    if code == .success {
      // Help and --version, on standard output (and an error if that cannot be written).
      do {
        try StandardOutput.write(fullMessage(for: error) + "\n")
      } catch let failure {
        StandardError.write("Error: \(failure)\n")
        Foundation.exit(ExitCode.failure.rawValue)
      }
      Foundation.exit(code.rawValue)
    }
    // argument-parser lists the allowed values on lines `- value`: one line, comma-separated.
    var line = ""
    for part in message(for: error).split(whereSeparator: \.isNewline) {
      let text = part.trimmingCharacters(in: .whitespaces)
      if text.hasPrefix("- ") {
        line += (line.hasSuffix(":") ? " " : ", ") + text.dropFirst(2)
      } else {
        line += (line.isEmpty ? "" : " ") + text
      }
    }
    if line.hasPrefix("Missing expected argument"),
      let subcommand = configuration.subcommands.first(where: {
        arguments.first == $0._commandName
      })
    {
      let usage = usageString(for: subcommand).split(whereSeparator: \.isNewline)
        .map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
      line += " (usage: \(usage))"
    }
    StandardError.write("Error: " + line + "\n")
    Foundation.exit(code.rawValue)
  }
}
