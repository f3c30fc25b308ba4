import VINKit

extension SystemEntry {
  /// The Hénon–Heiles system (``HenonHeiles``).
  static let henonHeiles = SystemEntry(
    name: "henon-heiles", configuration: "R²",
    lagrangian: "½ |q̇|² − ½ |q|² − q₁² q₂ + q₂³/3", parameters: [],
    dimension: 2, defaultPosition: [0.1, -0.1], defaultVelocity: [0.25, 0.1],
    integrators: [
      IntegratorEntry(StormerVerlet<HenonHeiles>.self, makeHenonHeiles),
      IntegratorEntry(VariationalMidpoint<HenonHeiles>.self, makeHenonHeiles),
      IntegratorEntry(VariationalTrapezoidal<HenonHeiles>.self, makeHenonHeiles),
      IntegratorEntry(ExplicitEuler<HenonHeiles>.self, makeHenonHeiles),
      IntegratorEntry(ClassicalRK4<HenonHeiles>.self, makeHenonHeiles),
      IntegratorEntry(ReferenceSolver<HenonHeiles>.self, makeHenonHeiles),
    ]
  )

  private static func makeHenonHeiles(_ setup: SimulationSetup) throws(IntegrationError)
    -> HenonHeiles
  {
    HenonHeiles()
  }
}
