import Foundation
import Plotting

/// The panel shared by every trajectory plot: the energy error `E(t) − E(0)`, which shows
/// drift and oscillation at any size (the energy itself would be a flat line).
enum EnergyPanel {
  static func make(times: [Double], energies: [Double]) -> Panel {
    let initial = energies.first ?? .nan
    return Panel(
      title: "Energy error (E(0) = \(String(format: "%.10g", initial)))"
        .replacingOccurrences(of: "-", with: "\u{2212}"), xLabel: "time t",
      yLabel: "E(t) − E(0)",
      series: [Series(name: "E − E(0)", x: times, y: energies.map { $0 - initial })])
  }
}
