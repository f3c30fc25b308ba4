import Foundation

/// A physical parameter set on the command line, `--param NAME=VALUE`.
struct ParameterAssignment: Equatable {
  /// The parameter's name, e.g. `g`.
  var name: String
  /// Its value.
  var value: Double

  /// Parses `NAME=VALUE` (spaces around either side allowed).
  ///
  /// - Throws: ``CommandError/malformedParameter(_:)`` unless `text` has a non-empty name, one
  ///   `=`, and a number after it; ``CommandError/nonFinite(option:text:)`` for NaN or ±∞.
  init(parsing text: String) throws(CommandError) {
    let parts = text.split(separator: "=", omittingEmptySubsequences: false)
    guard parts.count == 2 else { throw .malformedParameter(text) }
    let name = parts[0].trimmingCharacters(in: .whitespaces)
    guard !name.isEmpty, let value = Double(parts[1].trimmingCharacters(in: .whitespaces)) else {
      throw .malformedParameter(text)
    }
    guard value.isFinite else { throw .nonFinite(option: "--param", text: text) }
    self.name = name
    self.value = value
  }
}
