import Foundation
import VINKit

/// A trajectory CSV file (the layout `vin simulate` writes) read for learning: the observations
/// and the step size of its uniformly spaced t column.
struct TrajectoryFile {
  let path: String
  let trajectory: ObservedTrajectory
  /// `t₁ − t₀` (`nil` for a single sample).
  let stepSize: Double?
  /// The energy column (`energy`, the system's, or `learned_energy`, a model's) and its value
  /// per sample; `nil` when the file has neither column.
  let energy: (column: EnergyColumn, values: [Double])?

  /// Reads and checks `path`: the CSV layout, finite values, and `t_{k+1} − t_k` equal to
  /// `t₁ − t₀` within a relative 10⁻⁶ for every k.
  init(path: String) throws(LearningCommandError) {
    self.path = path
    let text: String
    do {
      text = try String(contentsOfFile: path, encoding: .utf8)
    } catch {
      throw .unreadable(path: path, reason: Self.reason(error))
    }
    do {
      trajectory = try ObservedTrajectory(csv: text)
    } catch {
      throw .data(path: path, error)
    }
    energy = try Self.energyColumn(of: text, path: path)
    let times = trajectory.times
    guard times.count >= 2 else {
      stepSize = nil
      return
    }
    let h = times[1] - times[0]
    guard h.isFinite, h > 0 else {
      throw .nonUniformSampling(path: path, line: 3, spacing: h, expected: h)
    }
    for k in 2..<times.count {
      let spacing = times[k] - times[k - 1]
      guard abs(spacing - h) <= 1e-6 * h else {
        // Sample k is on line k + 2 (the header is line 1).
        throw .nonUniformSampling(path: path, line: k + 2, spacing: spacing, expected: h)
      }
    }
    stepSize = h
  }

  /// The values of the first column named `energy` or `learned_energy` in `text`, a CSV that
  /// ``ObservedTrajectory/init(csv:)`` accepted (so every row has the header's field count).
  /// - Throws: ``LearningCommandError/data(path:_:)`` naming the line of a field that is not a
  ///   number.
  static func energyColumn(of text: String, path: String) throws(LearningCommandError) -> (
    column: EnergyColumn, values: [Double]
  )? {
    func trimmed(_ text: some StringProtocol) -> String {
      text.trimmingCharacters(in: .whitespaces)
    }
    let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
      .map(trimmed)
    let header =
      lines.first?.split(separator: ",", omittingEmptySubsequences: false).map(trimmed) ?? []
    guard let index = header.firstIndex(where: { EnergyColumn(rawValue: $0) != nil }),
      let column = EnergyColumn(rawValue: header[index])
    else { return nil }
    var values: [Double] = []
    for (offset, line) in lines.enumerated().dropFirst() where !line.isEmpty {
      let fields = line.split(separator: ",", omittingEmptySubsequences: false)
      let field = index < fields.count ? trimmed(fields[index]) : ""
      guard !field.utf8.contains(0), let value = Double(field) else {
        throw .data(
          path: path,
          .invalidCSV(
            line: offset + 1, column: column.rawValue,
            detail: "'\(field.replacingOccurrences(of: "\0", with: "\\0"))' is not a number"))
      }
      values.append(value)
    }
    return (column, values)
  }

  /// The common step size of `files`.
  /// - Throws: ``LearningCommandError/differentStepSizes(path:stepSize:firstPath:firstStepSize:)``
  ///   when two files disagree (relative 10⁻⁶), or an invalid-option error when no file has two
  ///   samples.
  static func commonStepSize(_ files: [TrajectoryFile]) throws(LearningCommandError) -> Double {
    guard let first = files.first(where: { $0.stepSize != nil }), let h = first.stepSize else {
      throw .invalidOption(
        option: "--data", value: files.map(\.path).joined(separator: ","),
        requirement: "no file has two samples, so the step size is unknown")
    }
    for file in files {
      if let other = file.stepSize, abs(other - h) > 1e-6 * h {
        throw .differentStepSizes(
          path: file.path, stepSize: other, firstPath: first.path, firstStepSize: h)
      }
    }
    return h
  }

  /// The system's reason for a failed read, without Foundation's wording around it.
  static func reason(_ error: any Error) -> String {
    let nsError = error as NSError
    if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError,
      underlying.domain == NSPOSIXErrorDomain,
      let code = POSIXErrorCode(rawValue: Int32(underlying.code))
    {
      return String(cString: strerror(code.rawValue))
    }
    if nsError.code == NSFileReadNoSuchFileError { return "no such file" }
    if nsError.code == NSFileReadInapplicableStringEncodingError { return "not UTF-8 text" }
    return nsError.localizedDescription
  }
}
