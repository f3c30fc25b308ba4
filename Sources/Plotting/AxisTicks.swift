import Foundation

/// The range of an axis and its labelled tick marks.
///
/// Linear ticks are "nice" numbers `k·s` with a step `s ∈ {1, 2, 5}·10ᵐ` chosen for about six
/// ticks (Heckbert, *Nice numbers for graph labels*, Graphics Gems, 1990). Labels share one
/// number of decimals; when the values are very large or very small the axis carries a common
/// factor `×10ᵉ` instead of long labels. Logarithmic ticks are the powers of ten, labelled `10ᵏ`.
struct AxisTicks: Equatable {
  /// The lower end of the axis.
  var lower: Double
  /// The upper end of the axis.
  var upper: Double
  /// The tick positions, increasing, within `lower...upper`.
  var values: [Double]
  /// The label of each tick.
  var labels: [String]
  /// The common factor `10^exponent` the labels are divided by, if any.
  var exponent: Int?

  /// Ticks for data in `minimum...maximum`; with `extendsToTicks` the axis range is widened to
  /// the ticks just outside the data, otherwise it is the data range.
  static func linear(minimum: Double, maximum: Double, extendsToTicks: Bool, target: Int = 6)
    -> AxisTicks
  {
    var (low, high) = (minimum, maximum)
    if !(high > low) {
      let pad = low == 0 ? 1 : abs(low) * 0.1
      (low, high) = (low - pad, high + pad)
    }
    let step = niceStep(for: (high - low) / Double(target))
    if extendsToTicks {
      low = (low / step).rounded(.down) * step
      high = (high / step).rounded(.up) * step
    }
    let first = (low / step - 1e-9).rounded(.up)
    let last = (high / step + 1e-9).rounded(.down)
    let values = stride(from: first, through: last, by: 1).map { $0 * step }
    let largest = max(abs(low), abs(high))
    let exponent: Int? =
      largest >= 1e5 || largest < 1e-3 ? Int(log10(largest).rounded(.down)) : nil
    let scale = exponent.map { pow(10, Double($0)) } ?? 1
    let decimals = max(0, -Int((log10(step / scale) + 1e-9).rounded(.down)))
    let labels = values.map { decimal($0 / scale, decimals: decimals) }
    return AxisTicks(lower: low, upper: high, values: values, labels: labels, exponent: exponent)
  }

  /// Decade ticks for positive data in `minimum...maximum`, the axis widened to whole decades
  /// (every second or further decade when there are more than ten).
  static func logarithmic(minimum: Double, maximum: Double) -> AxisTicks {
    var low = log10(minimum).rounded(.down)
    var high = log10(maximum).rounded(.up)
    if high <= low { (low, high) = (low - 1, high + 1) }
    let every = max(1, Int(((high - low) / 10).rounded(.up)))
    high = low + ((high - low) / Double(every)).rounded(.up) * Double(every)
    let powers = stride(from: Int(low), through: Int(high), by: every)
    return AxisTicks(
      lower: pow(10, low), upper: pow(10, high), values: powers.map { pow(10, Double($0)) },
      labels: powers.map { "10" + superscript($0) }, exponent: nil)
  }

  /// The nice number `{1, 2, 5, 10}·10ᵐ` at or above `rough`.
  static func niceStep(for rough: Double) -> Double {
    let magnitude = pow(10, log10(rough).rounded(.down))
    let fraction = rough / magnitude
    let nice: Double = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
    return nice * magnitude
  }

  /// `value` with `decimals` digits after the point and a typographic minus sign.
  static func decimal(_ value: Double, decimals: Int) -> String {
    var text = String(format: "%.\(decimals)f", value)
    if text.hasPrefix("-") {
      text.removeFirst()
      if text.contains(where: { $0 != "0" && $0 != "." }) { text = "\u{2212}" + text }
    }
    return text
  }

  /// The exponent `k` in superscript digits, e.g. `⁻¹²`.
  static func superscript(_ k: Int) -> String {
    let digits: [Character] = ["⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"]
    let body = String(String(abs(k)).map { digits[$0.wholeNumberValue ?? 0] })
    return k < 0 ? "⁻" + body : body
  }
}
