import Foundation
import Plotting

/// The panel shared by every trajectory plot: the energy error `E(t) − E(0)`, which shows
/// drift and oscillation at any size (the energy itself would be a flat line).
enum EnergyPanel {
  static func make(times: [Double], energies: [Double]) -> Panel {
    let initial = energies.first ?? .nan
    return Panel(
      title: "Energy error (E(0) = \(format(initial)))", xLabel: "time t",
      yLabel: "E(t) − E(0)",
      series: [Series(name: "E − E(0)", x: times, y: energies.map { $0 - initial })])
  }

  /// The energy panel of a forecast: the learned energy's error `Ê(t) − Ê(0)` and a truth
  /// file's `E(t) − E(0)` (dashed), each from its own t = 0 value: a learned energy is
  /// determined only up to an additive constant (and, with a learned mass, a scale), so the
  /// values themselves are not comparable, their changes are. `nil` when there is neither.
  static func comparing(
    learned: (times: [Double], energies: [Double])?,
    truth: (times: [Double], energies: [Double], column: EnergyColumn)?
  ) -> Panel? {
    var series: [Series] = []
    var initials: [String] = []
    if let learned {
      let initial = learned.energies.first ?? .nan
      series.append(
        Series(
          name: "Ê − Ê(0) (learned)", x: learned.times,
          y: learned.energies.map { $0 - initial }, color: Palette.color(0)))
      initials.append("learned Ê(0) = \(format(initial))")
    }
    if let truth {
      let initial = truth.energies.first ?? .nan
      let name =
        truth.column == .system ? "E − E(0) (truth)" : "Ê − Ê(0) (truth file's learned_energy)"
      series.append(
        Series(
          name: name, x: truth.times, y: truth.energies.map { $0 - initial },
          color: Palette.color(0), isDashed: true))
      initials.append("truth \(truth.column == .system ? "E" : "Ê")(0) = \(format(initial))")
    }
    guard !series.isEmpty else { return nil }
    return Panel(
      title: "Energy error (\(initials.joined(separator: ", ")))", xLabel: "time t",
      yLabel: "E(t) − E(0)", series: series)
  }

  /// `value` in a title: 10 significant digits, with a true minus sign.
  static func format(_ value: Double) -> String {
    String(format: "%.10g", value).replacingOccurrences(of: "-", with: "\u{2212}")
  }
}
