import VINKit

extension SystemEntry {
  /// The Hénon–Heiles system (``HenonHeiles``).
  static let henonHeiles = SystemEntry(
    name: "henon-heiles", configuration: "R²",
    lagrangian: "½ |q̇|² − ½ |q|² − q₁² q₂ + q₂³/3", parameters: [],
    dimension: 2, defaultPosition: [0.1, -0.1], defaultVelocity: [0.25, 0.1],
    integrators: [
      .verlet(makeHenonHeiles), .midpoint(makeHenonHeiles), .trapezoidal(makeHenonHeiles),
      .euler(makeHenonHeiles), .rk4(makeHenonHeiles),
      .rk8pd(makeHenonHeiles),
    ]
  )

  private static func makeHenonHeiles(_ setup: SimulationSetup) throws(IntegrationError)
    -> HenonHeiles
  {
    HenonHeiles()
  }
}
