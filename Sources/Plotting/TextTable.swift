import Foundation

/// The plain-text tables the example programs print: padded columns and fixed or scientific
/// numbers.
public enum TextTable {
  /// `text` padded with spaces to `width` characters, and by at least two (columns stay apart).
  public static func column(_ text: String, _ width: Int) -> String {
    text + String(repeating: " ", count: max(width - text.count, 2))
  }

  /// `value` with `decimals` digits after the point.
  public static func fixed(_ value: Double, _ decimals: Int) -> String {
    String(format: "%.\(decimals)f", value)
  }

  /// `value` in scientific notation with three significant digits.
  public static func scientific(_ value: Double, signed: Bool = false) -> String {
    String(format: signed ? "%+.2e" : "%.2e", value)
  }

  /// Prints `line` without its trailing spaces.
  public static func printRow(_ line: String) {
    var text = line
    while text.last == " " { text.removeLast() }
    print(text)
  }
}
