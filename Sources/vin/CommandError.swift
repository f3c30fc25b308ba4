import FileOutput
import Foundation
import Frames
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
  /// `--steps` negative (or `Int.max`, whose row count overflows).
  case invalidStepCount(Int)
  /// `--noise` negative or not finite.
  case invalidNoise(Double)
  /// `--control SPEC` that is malformed, unreadable, or does not fit the system or the run.
  case invalidControl(String, detail: String)
  /// The system could not be set up from the given values (e.g. a parameter out of range).
  case invalidSetup(system: String, IntegrationError)
  /// The integration failed part way (root finder, step too large, blow-up).
  case simulationFailed(system: String, integrator: String, IntegrationError)
  /// `--dt h --steps N` whose final time `N h` overflows to infinity.
  case finalTimeNotFinite(stepSize: Double, steps: Int)
  /// A computed value (a state, an energy, a time) that is NaN or ±∞.
  case nonFiniteValue(source: String, column: String, value: Double, time: Double)
  /// `--noise σ` so large that a noisy value overflows.
  case noiseOverflow(sigma: Double, column: String, time: Double)
  /// An output estimated larger than the free space where it goes.
  case outputTooLarge(String, bytes: Double, available: UInt64)
  /// Rows to be held in memory (for a plot or a forecast) beyond the ``MemoryBudget``.
  case insufficientMemory(rows: Int, bytes: Double, available: UInt64)
  /// `--plot PATH` not named `.svg`.
  case plotFormat(String)
  /// `--output` and `--plot` name the same file.
  case sameOutput(String)
  /// An output file could not be written.
  case output(FileWriteError)
  /// `vin render SYSTEM` with a system that has no drawing.
  case notDrawable(String, drawable: [String])
  /// `vin render` of a system whose drawing takes another number of coordinates than q0 has.
  case drawingDimension(system: String, coordinates: Int, drawn: Int)
  /// The system's drawing could not be made (a length out of range) or used.
  case drawing(system: String, FrameError)
  /// `--size` outside 1…``RenderCommand/maximumSize``.
  case invalidFrameSize(Int)
  /// An output option whose file name does not end in the format's suffix.
  case outputFormat(option: String, path: String, format: String, suffix: String)
  /// Two output options name the same file.
  case outputsCollide(String, String, path: String)
  /// An image (a GIF) could not be made or written.
  case image(ImageError)
  /// `vin fit` could not write the model where asked, and saved it to `rescue` instead.
  indirect case modelRescued(CommandError, rescue: String)
  /// `vin fit` could write the model neither where asked nor to the rescue file.
  indirect case modelLost(CommandError, rescue: FileWriteError)

  /// An error of the library, as a bad setup (a parameter or an initial value the system
  /// rejects) or as a failure during the run (root finder, step too large, blow-up).
  init(_ error: IntegrationError, system: String, integrator: String) {
    switch error {
    case .invalidParameter, .invalidStepSize, .invalidStepCount, .wrongDimension,
      .nonFiniteInput, .notApplicable, .inputsDoNotCover:
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
      return "--steps \(n) is invalid: the number of steps must be from 0 to \(Int.max - 1)"
    case .invalidNoise(let sigma):
      return "--noise \(sigma) is invalid: the standard deviation must be non-negative and finite"
    case .invalidControl(let spec, let detail):
      return "--control '\(spec)': \(detail)"
    case .invalidSetup(_, .notApplicable(let integrator, let system, let reason)):
      return IntegrationError.notApplicable(integrator: integrator, system: system, reason: reason)
        .description
    case .invalidSetup(let system, let error):
      return "system '\(system)': \(error)"
    case .simulationFailed(let system, let integrator, let error):
      return "simulation of '\(system)' with '\(integrator)' failed: \(error)"
    case .finalTimeNotFinite(let h, let n):
      return
        "--dt \(h) with --steps \(n) is invalid: the final time N h = \(Double(n) * h) is not finite"
    case .nonFiniteValue(let source, let column, let value, let t):
      return
        "\(source) failed: \(column) = \(value) at t = \(t) is not finite (the initial condition, parameters or step size are too large for double precision)"
    case .noiseOverflow(let sigma, let column, let t):
      return
        "--noise \(sigma) is invalid: it makes \(column) at t = \(t) overflow to a non-finite value"
    case .outputTooLarge(let name, let bytes, let available):
      return
        "the output to \(name) would take about \(ByteCount(bytes)), but only \(ByteCount(Double(available))) are free there; use fewer --steps"
    case .insufficientMemory(let rows, let bytes, let available):
      return
        "\(rows) rows would need about \(ByteCount(bytes)) of memory, more than the \(ByteCount(Double(available))) a run may use (half the machine's memory); use fewer --steps"
    case .plotFormat(let path):
      return
        "--plot '\(path)' is invalid: plots are written as SVG only, so the name must end in .svg"
    case .sameOutput(let path):
      return "--output and --plot both name '\(path)'; give them different files"
    case .output(let error):
      return error.description
    case .notDrawable(let name, let drawable):
      return
        "system '\(name)' cannot be drawn as frames (vin render draws \(drawable.joined(separator: ", ")))"
    case .drawingDimension(let system, let coordinates, let drawn):
      return
        "system '\(system)' is drawn from \(drawn) coordinate\(drawn == 1 ? "" : "s"), but --q0 has \(coordinates)"
    case .drawing(let system, let error):
      return "system '\(system)' cannot be drawn: \(error)"
    case .invalidFrameSize(let size):
      return
        "--size \(size) is invalid: frames are from 1 to \(RenderCommand.maximumSize) pixels a side"
    case .outputFormat(let option, let path, let format, let suffix):
      return
        "\(option) '\(path)' is invalid: it is written as \(format), so the name must end in \(suffix)"
    case .outputsCollide(let first, let second, let path):
      return "\(first) and \(second) both name '\(path)'; give them different files"
    case .image(let error):
      return error.description
    case .modelRescued(let error, let rescue):
      return "\(error); the trained model was saved to '\(rescue)' instead"
    case .modelLost(let error, let rescue):
      return "\(error); the trained model is lost (\(rescue))"
    }
  }
}

/// A number of bytes in decimal units (`8.0 TB`, `713 MB`).
struct ByteCount: CustomStringConvertible {
  var bytes: Double
  init(_ bytes: Double) { self.bytes = bytes }

  var description: String {
    guard bytes.isFinite else { return "\(bytes) bytes" }
    let units = ["bytes", "kB", "MB", "GB", "TB", "PB", "EB"]
    var value = bytes
    var unit = 0
    while value >= 1000, unit < units.count - 1 {
      value /= 1000
      unit += 1
    }
    return unit == 0 ? "\(Int64(value)) bytes" : "\(String(format: "%.3g", value)) \(units[unit])"
  }
}
