import VINKit

/// A bad input or a failed run. `vin` prints it as one line, `Error: <description>`, on standard
/// error and exits with status 1; every case names the offending value.
enum CommandError: Error, CustomStringConvertible {
  /// `vin simulate NAME` with a system that is not built in.
  case unknownSystem(String, known: [String])
  /// `--integrator NAME` with a name that is no integrator at all.
  case unknownIntegrator(String, known: [String])
  /// `--param NAME=…` with a name the system does not have.
  case unknownParameter(String, system: String, known: [String])
  /// `--param TEXT` not of the form `NAME=VALUE` with a numeric value.
  case malformedParameter(String)
  /// A comma-separated list option with an entry that is not a number.
  case malformedNumber(option: String, text: String, entry: String)
  /// A list option with the wrong number of entries for the system.
  case wrongCount(option: String, text: String, expected: Int, system: String)
  /// A numeric option with a NaN or infinite value.
  case nonFinite(option: String, text: String)
  /// `--dt` not positive and finite.
  case invalidStepSize(Double)
  /// `--steps` negative.
  case invalidStepCount(Int)
  /// `--noise` negative or not finite.
  case invalidNoise(Double)
  /// The system could not be set up from the given values (e.g. a parameter out of range).
  case invalidSetup(system: String, IntegrationError)
  /// The integration failed part way (root finder, step too large, blow-up).
  case simulationFailed(system: String, integrator: String, IntegrationError)
  /// An output file could not be written.
  case output(FileWriteError)

  /// An error of the library, as a bad setup (a parameter or an initial value the system
  /// rejects) or as a failure during the run (root finder, step too large, blow-up).
  init(_ error: IntegrationError, system: String, integrator: String) {
    switch error {
    case .invalidParameter, .invalidStepSize, .invalidStepCount, .wrongDimension,
      .nonFiniteInput, .notApplicable:
      self = .invalidSetup(system: system, error)
    case .nonFiniteState, .rootFindingFailed, .stepTooLarge, .singularMassMatrix:
      self = .simulationFailed(system: system, integrator: integrator, error)
    }
  }

  var description: String {
    switch self {
    case .unknownSystem(let name, let known):
      return "unknown system '\(name)' (built-in systems: \(known.joined(separator: ", ")))"
    case .unknownIntegrator(let name, let known):
      return "unknown integrator '\(name)' (integrators: \(known.joined(separator: ", ")))"
    case .unknownParameter(let name, let system, let known):
      let list = known.isEmpty ? "it has none" : "it has \(known.joined(separator: ", "))"
      return "unknown parameter '\(name)' for system '\(system)' (\(list))"
    case .malformedParameter(let text):
      return "--param '\(text)' is not of the form NAME=VALUE with a number VALUE"
    case .malformedNumber(let option, let text, let entry):
      return "\(option) '\(text)': '\(entry)' is not a number"
    case .wrongCount(let option, let text, let expected, let system):
      let count = text.split(separator: ",", omittingEmptySubsequences: false).count
      return "\(option) '\(text)' has \(count) entries, system '\(system)' needs \(expected)"
    case .nonFinite(let option, let text):
      return "\(option) '\(text)' must be finite"
    case .invalidStepSize(let h):
      return "--dt \(h) is invalid: the step size must be positive and finite"
    case .invalidStepCount(let n):
      return "--steps \(n) is invalid: the number of steps must be non-negative"
    case .invalidNoise(let sigma):
      return "--noise \(sigma) is invalid: the standard deviation must be non-negative and finite"
    case .invalidSetup(_, .notApplicable(let integrator, let system, let reason)):
      return IntegrationError.notApplicable(integrator: integrator, system: system, reason: reason)
        .description
    case .invalidSetup(let system, let error):
      return "system '\(system)': \(error)"
    case .simulationFailed(let system, let integrator, let error):
      return "simulation of '\(system)' with '\(integrator)' failed: \(error)"
    case .output(let error):
      return error.description
    }
  }
}
