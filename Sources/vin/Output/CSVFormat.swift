import VINKit

/// The CSV layout of DESIGN §4: a header row, then one row per time, values separated by
/// commas, lines ended by `\n`.
///
/// Numbers are written with Swift's `description` of `Double`: the shortest decimal that reads
/// back as the same `Double` (so `0.1`, not `0.10000000000000001`), with an exponent for very
/// large or small magnitudes (`1e-05`). It round-trips exactly through `Double(_:)`, `strtod`,
/// NumPy and pandas, as `%.17g` does, and is shorter.
enum CSVFormat {
  /// `value` as written in a CSV file.
  static func number(_ value: Double) -> String { value.description }

  /// One row: the values separated by commas, ended by `\n`.
  static func line(_ values: some Sequence<Double>) -> String {
    values.map(number).joined(separator: ",") + "\n"
  }

  /// Writes the whole table to `output`, row by row.
  static func write(_ table: some TrajectoryTable, to output: BufferedOutput) throws(CommandError) {
    try output.write(table.header.joined(separator: ",") + "\n")
    for k in 0..<table.count { try output.write(line(table.row(k))) }
  }
}
