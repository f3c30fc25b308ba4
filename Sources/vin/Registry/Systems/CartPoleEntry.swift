import VINKit

extension SystemEntry {
  /// The cart-pole (``CartPole``): the under-actuated control benchmark, a force on the cart.
  static let cartPole = SystemEntry(
    name: "cart-pole",
    configuration:
      "cart position x and pole angle θ from the downward vertical (R², M depends on q)",
    lagrangian: "½ (mc + mp) ẋ² + mp l cos θ ẋ θ̇ + ½ mp l² θ̇² + mp g l cos θ",
    parameters: [
      ParameterSpec(name: "mc", defaultValue: 1, meaning: "cart mass (kg)"),
      ParameterSpec(name: "mp", defaultValue: 0.1, meaning: "pole mass, at the pole's end (kg)"),
      ParameterSpec(name: "l", defaultValue: 0.5, meaning: "pole length (m)"),
      ParameterSpec(name: "g", defaultValue: 9.81, meaning: "gravitational acceleration (m/s²)"),
      ParameterSpec(
        name: "friction", defaultValue: 0, meaning: "viscous friction of the cart (N s/m)"),
      ParameterSpec(
        name: "damping", defaultValue: 0, meaning: "viscous damping at the hinge (N m s)"),
    ],
    inputs: .inputs(["horizontal force on the cart (N)"]),
    dimension: 2, defaultPosition: [0, 1.0], defaultVelocity: [0, 0],
    integrators: [
      IntegratorEntry(VariationalMidpoint<CartPole>.self, makeCartPole),
      IntegratorEntry(VariationalTrapezoidal<CartPole>.self, makeCartPole),
      IntegratorEntry(ExplicitEuler<CartPole>.self, makeCartPole),
      IntegratorEntry(ClassicalRK4<CartPole>.self, makeCartPole),
      IntegratorEntry(ReferenceSolver<CartPole>.self, makeCartPole),
    ]
  )

  private static func makeCartPole(_ setup: SimulationSetup) throws(IntegrationError) -> CartPole {
    try CartPole(
      cartMass: setup.parameter("mc"), poleMass: setup.parameter("mp"),
      length: setup.parameter("l"), gravity: setup.parameter("g"),
      friction: setup.parameter("friction"), damping: setup.parameter("damping"))
  }
}
