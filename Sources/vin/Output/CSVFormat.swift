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

  /// The whole table as CSV text.
  static func render(_ table: some TrajectoryTable) -> String {
    var text = table.header.joined(separator: ",") + "\n"
    text.reserveCapacity(table.count * table.header.count * 20)
    for k in 0..<table.count {
      var first = true
      for value in table.row(k) {
        if !first { text += "," }
        text += number(value)
        first = false
      }
      text += "\n"
    }
    return text
  }
}
