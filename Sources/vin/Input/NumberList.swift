import Foundation

/// A comma-separated list of numbers as given on the command line (`--q0 -0.1,0.1`).
enum NumberList {
  /// The numbers in `text`, each finite.
  ///
  /// - Throws: ``CommandError/malformedNumber(option:text:entry:)`` for an entry that is not a
  ///   number (including an empty one), ``CommandError/nonFinite(option:text:)`` for NaN or ±∞.
  static func parse(_ text: String, option: String) throws(CommandError) -> [Double] {
    var values: [Double] = []
    for entry in text.split(separator: ",", omittingEmptySubsequences: false) {
      let trimmed = entry.trimmingCharacters(in: .whitespaces)
      guard let value = Double(trimmed) else {
        throw .malformedNumber(option: option, text: text, entry: trimmed)
      }
      guard value.isFinite else { throw .nonFinite(option: option, text: text) }
      values.append(value)
    }
    return values
  }
}
