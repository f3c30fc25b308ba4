import Foundation
import Plotting
import VINKit

/// Delivers a trajectory: the CSV to a file or to standard output, the plot to a file.
///
/// Files are staged next to their destinations first and renamed into place only when all of
/// them were written, so a failure leaves no output file behind (and an existing one unchanged).
enum OutputFiles {
  static func deliver(csv: String, csvPath: String?, plot: (svg: String, path: String)?)
    throws(CommandError)
  {
    var staged: [StagedFile] = []
    do throws(FileWriteError) {
      if let csvPath { staged.append(try AtomicFile.stage(csv, at: csvPath)) }
      if let plot { staged.append(try AtomicFile.stage(plot.svg, at: plot.path)) }
      for file in staged { try file.commit() }
    } catch {
      for file in staged { file.discard() }
      throw .output(error)
    }
    if csvPath == nil { FileHandle.standardOutput.write(Data(csv.utf8)) }
  }
}
