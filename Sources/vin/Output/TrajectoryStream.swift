import Foundation
import VINKit

/// The rows of a trajectory as they are computed, streamed to the CSV output (so that memory
/// does not grow with the number of steps): noise added, every value checked finite, a copy
/// kept for the plot only when one is asked for, and each noiseless row shown to an observer
/// when there is one (`vin render` draws it).
///
/// Before the first row it refuses a run whose output cannot fit: a CSV larger than the free
/// space of its file system (estimated from the first row), or a plot whose rows would exceed
/// the ``MemoryBudget``.
final class TrajectoryStream {
  /// What computes the rows, for messages (`simulation of 'pendulum' with 'verlet'`).
  let source: String
  /// The number of rows that will be written (steps + 1).
  let rows: Int
  /// The CSV's destination (nil: no CSV, for `vin render` without `--output`).
  private let output: BufferedOutput?
  /// Sees each row, checked finite, before noise is added.
  private let observer: ((_ row: [Double]) throws(CommandError) -> Void)?
  private var noise: (sigma: Double, generator: SeededGenerator)?
  private var recorded: [Double]?
  private(set) var layout: RowLayout?
  private var rowsWritten = 0

  init(
    source: String, rows: Int, output: BufferedOutput?, noise: Double?, seed: UInt64,
    keepsRowsForPlot: Bool, observer: ((_ row: [Double]) throws(CommandError) -> Void)? = nil
  ) {
    self.source = source
    self.rows = rows
    self.output = output
    self.observer = observer
    self.noise = noise.flatMap { $0 > 0 ? ($0, SeededGenerator(seed: seed)) : nil }
    recorded = keepsRowsForPlot ? [] : nil
  }

  /// Writes the header of `layout`.
  ///
  /// - Throws: ``CommandError/insufficientMemory(rows:bytes:available:)`` when the rows kept for
  ///   the plot would not fit in the ``MemoryBudget``.
  func begin(_ layout: RowLayout) throws(CommandError) {
    self.layout = layout
    if recorded != nil {
      try MemoryBudget.check(rows: rows, bytesPerRow: layout.columns * 8)
      recorded?.reserveCapacity(rows * layout.columns)
    }
    try output?.write(layout.header(energy: .system).joined(separator: ",") + "\n")
  }

  /// Appends `row` (``RowLayout/columns`` values, noise not yet added).
  ///
  /// - Throws: ``CommandError/nonFiniteValue(source:column:value:time:)`` for a NaN or ±∞
  ///   value, ``CommandError/noiseOverflow(sigma:column:time:)`` when the noise makes one,
  ///   ``CommandError/outputTooLarge(_:bytes:available:)`` when ``rows`` rows as long as the
  ///   first do not fit where the CSV goes, write errors, and the observer's errors.
  func append(_ row: inout [Double]) throws(CommandError) {
    guard let layout else { return }
    if let column = row.firstIndex(where: { !$0.isFinite }) {
      throw .nonFiniteValue(
        source: source, column: layout.header(energy: .system)[column], value: row[column],
        time: row[0])
    }
    try observer?(row)
    if var noise {
      layout.addNoise(to: &row, standardDeviation: noise.sigma, generator: &noise.generator)
      self.noise = noise
      if let column = row.firstIndex(where: { !$0.isFinite }) {
        throw .noiseOverflow(
          sigma: noise.sigma, column: layout.header(energy: .system)[column], time: row[0])
      }
    }
    recorded?.append(contentsOf: row)
    guard let output else { return }
    let line = CSVFormat.line(row)
    if rowsWritten == 0 { try output.reserve(rows: rows, bytesPerRow: line.utf8.count) }
    rowsWritten += 1
    try output.write(line)
  }

  /// The figure of the rows kept for the plot.
  func table() -> (any TrajectoryTable)? {
    guard let layout, let recorded else { return nil }
    return layout.table(rows: recorded)
  }
}
