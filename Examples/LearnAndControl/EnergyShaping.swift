import Foundation
import VINKit

/// Swing-up by energy shaping, built from a forced VIN-VV: its Lagrangian
/// `L_θ = ½ M̂ q̇² − V̂(q)` and its forces `F = B̂ u − D̂ q̇`.
///
/// Along the model's motion the learned energy `E_θ = ½ M̂ q̇² + V̂(q)` changes at the rate
/// `dE_θ/dt = q̇ (B̂ u − D̂ q̇)`. The law
///
///     u = (k (E* − E_θ(q, q̇)) + D̂) q̇ / B̂,    E* = V̂(π), the learned energy of rest at the upright,
///
/// gives `dE_θ/dt = k (E* − E_θ) q̇²`: energy goes in with every swing while it is below E*, and the
/// term `D̂ q̇ / B̂` puts back what the learned damping takes out (Åström and Furuta, *Swinging up a
/// pendulum by energy control*, Automatica 36, 2000). From data, M̂, V̂, B̂ and D̂ are known only up
/// to one common factor (λL_θ with λB̂, λD̂ moves exactly as L_θ); u does not change with λ, so k
/// is in the true units (1/(J s)), the same for every model.
struct EnergyShaping: FeedbackLaw {
  /// `E_θ(q, q̇)`.
  let energy: (Double, Double) -> Double
  /// E*.
  let uprightEnergy: Double
  /// B̂ and D̂.
  let inputGain: Double
  let damping: Double
  /// k.
  let gain: Double

  /// The law for a forced VIN-VV of one angle and one input.
  /// - Throws: `LearningError.invalidConfiguration` unless the model has one coordinate, one
  ///   input and a non-zero input gain B̂ (a model that has not learned the input cannot use it).
  init<Potential: LearnablePotential, Mass: LearnableMassMatrix>(
    model: VINVelocityVerlet<Potential, Mass, ConstantForce>, gain: Double
  ) throws {
    guard model.configurationDimension == 1, model.inputCount == 1 else {
      throw LearningError.invalidConfiguration(
        name: "energy-shaping model",
        value: "n = \(model.configurationDimension), m = \(model.inputCount)",
        requirement: "must have one angle and one input")
    }
    let (b, d) = (model.forces.inputMatrix()[0], model.forces.dissipation()[0])
    guard b != 0, b.isFinite else {
      throw LearningError.invalidConfiguration(
        name: "learned input gain B", value: "\(b)", requirement: "must be non-zero and finite")
    }
    let mass = model.mass.entries()[0]
    let potential = model.potential
    energy = { q, v in 0.5 * mass * v * v + potential.energy(at: [q]) }
    uprightEnergy = potential.energy(at: [Double.pi])
    inputGain = b
    damping = d
    self.gain = gain
  }

  func torque(angle q: Double, velocity v: Double) -> Double {
    (gain * (uprightEnergy - energy(q, v)) + damping) * v / inputGain
  }
}
