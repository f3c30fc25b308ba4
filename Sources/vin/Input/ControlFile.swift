import Foundation
import VINKit

/// A control file of `vin simulate --control FILE.csv`: a header whose first column is `t` and
/// which names the input columns `u1, u2, …` (other columns are ignored, so that a trajectory
/// that `vin simulate` wrote with its inputs drives a run again), and one row per sample.
enum ControlFile {
  /// The samples of the file at `path`.
  ///
  /// Every row has as many fields as the header; every used field is a number without a NUL
  /// byte; times and inputs are finite, and the times increase strictly.
  /// - Throws: ``CommandError/invalidControl(_:detail:)`` naming the line and column.
  static func read(_ path: String) throws(CommandError) -> ZeroOrderHold {
    let text: String
    do {
      text = try String(contentsOfFile: path, encoding: .utf8)
    } catch {
      throw .invalidControl(path, detail: "cannot read it: \(TrajectoryFile.reason(error))")
    }
    func trimmed(_ text: some StringProtocol) -> String {
      text.trimmingCharacters(in: .whitespaces)
    }
    let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
      .map(trimmed)
    let header =
      lines.first?.split(separator: ",", omittingEmptySubsequences: false).map(trimmed) ?? []
    guard header.first == "t" else {
      throw .invalidControl(
        path, detail: "line 1: the first column must be 't' (the header is t,u1,…,um)")
    }
    var columns: [Int] = []
    while let index = header.firstIndex(of: "u\(columns.count + 1)") { columns.append(index) }
    guard !columns.isEmpty else {
      throw .invalidControl(path, detail: "line 1: no input column u1 (the header is t,u1,…,um)")
    }
    var times: [Double] = []
    var values: [[Double]] = []
    for (offset, line) in lines.enumerated().dropFirst() where !line.isEmpty {
      let number = offset + 1
      let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(trimmed)
      guard fields.count == header.count else {
        throw .invalidControl(
          path,
          detail:
            "line \(number): the row has \(fields.count) fields, the header has \(header.count)")
      }
      func value(_ column: Int) throws(CommandError) -> Double {
        let field = fields[column]
        guard !field.utf8.contains(0), let value = Double(field) else {
          let shown = field.replacingOccurrences(of: "\0", with: "\\0")
          throw .invalidControl(
            path, detail: "line \(number), column \(header[column]): '\(shown)' is not a number")
        }
        guard value.isFinite else {
          throw .invalidControl(
            path, detail: "line \(number), column \(header[column]): \(value) is not finite")
        }
        return value
      }
      let t = try value(0)
      if let previous = times.last, !(t > previous) {
        throw .invalidControl(
          path, detail: "line \(number): t = \(t) is not after the previous time \(previous)")
      }
      times.append(t)
      var row: [Double] = []
      for column in columns { row.append(try value(column)) }
      values.append(row)
    }
    guard !times.isEmpty else {
      throw .invalidControl(path, detail: "no data rows after the header")
    }
    do throws(IntegrationError) {
      return try ZeroOrderHold(times: times, values: values)
    } catch {
      throw .invalidControl(path, detail: error.description)
    }
  }
}
