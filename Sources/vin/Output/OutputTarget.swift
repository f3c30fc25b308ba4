import FileOutput
import Foundation
import VINKit

/// Where a command's main output (CSV or JSON) goes: standard output (no `--output`, or
/// `--output -`), or a file.
enum OutputTarget: Equatable {
  case standardOutput
  case file(AtomicFile.Destination)

  /// The target of `--output PATH`, checked (see ``AtomicFile/destination(of:)``).
  init(_ path: String?) throws(CommandError) {
    guard let path, path != "-" else {
      self = .standardOutput
      return
    }
    do {
      self = .file(try AtomicFile.destination(of: path))
    } catch {
      throw .output(error)
    }
  }

  /// Whether writing this target would replace the file at `path` (an input of the command).
  func replaces(_ path: String) -> Bool {
    guard case .file(let destination) = self else { return false }
    return OutputPlan.identity(of: destination.path) == OutputPlan.identity(of: path)
  }

  /// The path as given, or `standard output`.
  var name: String {
    switch self {
    case .standardOutput: return "standard output"
    case .file(let destination): return "'\(destination.requested)'"
    }
  }
}

/// The outputs of `vin simulate` and `vin forecast`, checked before anything is computed: the
/// CSV target and the SVG plot (`.svg` only), each writable, and not the same file.
struct OutputPlan {
  let csv: OutputTarget
  let plot: AtomicFile.Destination?

  /// - Throws: ``CommandError/output(_:)`` for a path that cannot be written,
  ///   ``CommandError/plotFormat(_:)`` for a plot not named `.svg`,
  ///   ``CommandError/sameOutput(_:)`` when both name one file.
  init(_ options: OutputOptions) throws(CommandError) {
    try self.init(output: options.output, plot: options.plot)
  }

  /// The plan of `--output` (nil: standard output) and `--plot`, checked as above.
  init(output: String?, plot plotPath: String?) throws(CommandError) {
    csv = try OutputTarget(output)
    guard let path = plotPath else {
      plot = nil
      return
    }
    guard path.lowercased().hasSuffix(".svg") else { throw .plotFormat(path) }
    do {
      plot = try AtomicFile.destination(of: path)
    } catch {
      throw .output(error)
    }
    if case .file(let destination) = csv, let plot,
      Self.identity(of: destination.path) == Self.identity(of: plot.path)
    {
      throw .sameOutput(path)
    }
  }

  /// The absolute path with the directory's links resolved (`dir/../x` and `./x` name the
  /// same file as `x`).
  static func identity(of path: String) -> String {
    let url = URL(fileURLWithPath: path)
    return url.deletingLastPathComponent().resolvingSymlinksInPath()
      .appendingPathComponent(url.lastPathComponent).standardizedFileURL.path
  }
}
