import Foundation

/// `text` padded with spaces to `width` characters, and by at least two (columns stay apart).
func column(_ text: String, _ width: Int) -> String {
  text + String(repeating: " ", count: max(width - text.count, 2))
}

/// `value` with `decimals` digits after the point.
func fixed(_ value: Double, _ decimals: Int) -> String {
  String(format: "%.\(decimals)f", value)
}

/// `value` in scientific notation with three significant digits.
func scientific(_ value: Double, signed: Bool = false) -> String {
  String(format: signed ? "%+.2e" : "%.2e", value)
}

/// Prints `line` without its trailing spaces.
func printRow(_ line: String) {
  var text = line
  while text.last == " " { text.removeLast() }
  print(text)
}
