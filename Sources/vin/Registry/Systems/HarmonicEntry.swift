import Frames
import VINKit

extension SystemEntry {
  /// The isotropic harmonic oscillator on R^n (``HarmonicOscillator``), n from q0.
  static let harmonic = SystemEntry(
    name: "harmonic", configuration: "R^n, n from q0", lagrangian: "½ m |q̇|² − ½ k |q|²",
    parameters: [
      ParameterSpec(name: "m", defaultValue: 1, meaning: "mass"),
      ParameterSpec(name: "k", defaultValue: 1, meaning: "stiffness"),
      ParameterSpec(name: "damping", defaultValue: 0, meaning: "viscous damping b (force −b q̇)"),
    ],
    inputs: .perCoordinate("force on coordinate i"),
    dimension: nil, defaultPosition: [1.0], defaultVelocity: nil,
    integrators: [
      IntegratorEntry(StormerVerlet<HarmonicOscillator>.self, makeOscillator),
      IntegratorEntry(VariationalMidpoint<HarmonicOscillator>.self, makeOscillator),
      IntegratorEntry(VariationalTrapezoidal<HarmonicOscillator>.self, makeOscillator),
      IntegratorEntry(ExplicitEuler<HarmonicOscillator>.self, makeOscillator),
      IntegratorEntry(ClassicalRK4<HarmonicOscillator>.self, makeOscillator),
      IntegratorEntry(ReferenceSolver<HarmonicOscillator>.self, makeOscillator),
    ],
    // In one dimension only: a disc on the horizontal axis, in the view ±2.5.
    drawing: { _ throws(FrameError) in try SlidingDiscDrawing() }
  )

  private static func makeOscillator(_ setup: SimulationSetup) throws(IntegrationError)
    -> HarmonicOscillator
  {
    try HarmonicOscillator(
      dimension: setup.position.count, mass: setup.parameter("m"),
      stiffness: setup.parameter("k"), damping: setup.parameter("damping"))
  }
}
