import FileOutput
import Foundation
import VINKit

/// Moves a command's finished outputs into place together, after all of them were written:
/// a failure before that leaves no output file behind (and an existing one unchanged).
enum OutputFiles {
  /// Renames each staged file over its destination; on a failure the rest are discarded.
  static func commit(_ files: [StagedFile]) throws(CommandError) {
    for (index, file) in files.enumerated() {
      do {
        try file.commit()
      } catch {
        for rest in files[index...] { rest.discard() }
        throw .output(error)
      }
    }
  }

  /// Writes `text` to `target` and `svg` to the plot's destination (if any), then commits
  /// both.
  static func deliver(
    _ text: String, to target: OutputTarget, plot: AtomicFile.Destination? = nil,
    svg: () -> String = { "" }
  ) throws(CommandError) {
    let output = try BufferedOutput(target)
    do {
      try output.write(text)
    } catch {
      output.discard()
      throw error
    }
    try finish(output, plot: plot, svg: svg)
  }

  /// Finishes `output` (if any), writes the plot (if any), and commits both with the files
  /// already staged `alongside`; on a failure none of them is left behind.
  static func finish(
    _ output: BufferedOutput?, plot: AtomicFile.Destination?, alongside: [StagedFile] = [],
    svg: () -> String
  ) throws(CommandError) {
    var staged = alongside
    let plotOutput: BufferedOutput?
    do {
      plotOutput = try plot.map { destination throws(CommandError) in
        try BufferedOutput(.file(destination))
      }
    } catch {
      output?.discard()
      for file in staged { file.discard() }
      throw error
    }
    do {
      if let file = try output?.finish() { staged.append(file) }
      if let plotOutput {
        try plotOutput.write(svg())
        if let file = try plotOutput.finish() { staged.append(file) }
      }
    } catch {
      output?.discard()
      plotOutput?.discard()
      for file in staged { file.discard() }
      throw error
    }
    try commit(staged)
  }
}
