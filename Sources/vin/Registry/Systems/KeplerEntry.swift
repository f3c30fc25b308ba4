import VINKit

extension SystemEntry {
  /// The planar Kepler problem (``Kepler``).
  static let kepler = SystemEntry(
    name: "kepler", configuration: "R² (position in the orbital plane)",
    lagrangian: "½ |q̇|² + 1/|q|", parameters: [],
    dimension: 2, defaultPosition: [0.4, 0], defaultVelocity: [0, 2],
    integrators: [
      IntegratorEntry(StormerVerlet<Kepler>.self, makeKepler),
      IntegratorEntry(VariationalMidpoint<Kepler>.self, makeKepler),
      IntegratorEntry(VariationalTrapezoidal<Kepler>.self, makeKepler),
      IntegratorEntry(ExplicitEuler<Kepler>.self, makeKepler),
      IntegratorEntry(ClassicalRK4<Kepler>.self, makeKepler),
      IntegratorEntry(ReferenceSolver<Kepler>.self, makeKepler),
    ]
  )

  private static func makeKepler(_ setup: SimulationSetup) throws(IntegrationError) -> Kepler {
    Kepler()
  }
}
