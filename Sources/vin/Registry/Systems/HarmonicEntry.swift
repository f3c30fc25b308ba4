import VINKit

extension SystemEntry {
  /// The isotropic harmonic oscillator on R^n (``HarmonicOscillator``), n from q0.
  static let harmonic = SystemEntry(
    name: "harmonic", configuration: "R^n, n from q0", lagrangian: "½ m |q̇|² − ½ k |q|²",
    parameters: [
      ParameterSpec(name: "m", defaultValue: 1, meaning: "mass"),
      ParameterSpec(name: "k", defaultValue: 1, meaning: "stiffness"),
    ],
    dimension: nil, defaultPosition: [1.0], defaultVelocity: nil,
    integrators: [
      .verlet(makeOscillator), .midpoint(makeOscillator), .trapezoidal(makeOscillator),
      .euler(makeOscillator), .rk4(makeOscillator), .rk8pd(makeOscillator),
    ]
  )

  private static func makeOscillator(_ setup: SimulationSetup) throws(IntegrationError)
    -> HarmonicOscillator
  {
    try HarmonicOscillator(
      dimension: setup.position.count, mass: setup.parameter("m"),
      stiffness: setup.parameter("k"))
  }
}
