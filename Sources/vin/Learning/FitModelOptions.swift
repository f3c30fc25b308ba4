import VINKit

/// The architecture options of `vin fit` (`--width`, `--depth`, `--activation`, `--potential`,
/// `--mass`, `--inertia-scale`, `--angles`, `--dissipation`, `--input-matrix`, `--observe`) and the
/// ``ModelSpecification`` they describe; the
/// model itself is built by the specification, the library's one factory.
struct FitModelOptions {
  /// `--potential`.
  enum PotentialOption: String, CaseIterable {
    /// An MLP `V_θ(q)` (of `(cos q, sin q)` with `--angles`; of R for vin-so3).
    case mlp
    /// `½ k |q|²`, k initialised at 1.
    case quadratic
    /// `a Σ (1 − cos qᵢ)`, a initialised at 1.
    case cosine
    /// vin-so3's heavy-body potential `U(R) = e_zᵀRc`, c initialised at 0.
    case gravity
  }

  /// `--mass` (vin-vv, vin-sv, vin-so2; vin-mq always learns M(q), vin-so3 its inertia).
  enum MassOption: String, CaseIterable {
    /// `M = I`, not learned.
    case identity
    /// A learned constant SPD `M = LLᵀ`, initialised at the identity.
    case constant
  }

  /// `--observe` (vin-mq; vin-vv and the baselines observe velocities, vin-sv and vin-so2
  /// positions).
  enum ObservationOption: String, CaseIterable {
    /// Positions q only.
    case positions
    /// Positions and velocities (q, q̇).
    case velocities
  }

  var width: Int
  var depth: Int
  var activation: Activation
  /// `nil`: the kind's default, gravity for vin-so3 and mlp for the others.
  var potential: PotentialOption?
  var mass: MassOption
  /// vin-so3's initial inertia `J = sI` (`nil`: s = 1).
  var inertiaScale: Double?
  /// The coordinates are angles: MLP potentials see `(cos q, sin q)`, baselines
  /// `(cos q, sin q, q̇)`.
  var angles = false
  /// The number m of inputs u the model learns from (`--inputs learned` on data with
  /// `u1,…,um` columns; 0 otherwise).
  var inputs = 0
  /// `--dissipation`: a VIN's learned dissipation.
  var dissipation = ForceSpecification.Dissipation.none
  /// `--input-matrix`: a VIN's learned input matrix, constant or B(q).
  var inputMatrix = ForceSpecification.InputMatrix.constant
  /// `--observe`: what a vin-mq is trained on (`nil`: velocities when the data have them).
  var observe: ObservationOption?
  /// Whether the data have velocities.
  var dataHaveVelocities = true

  /// The specification of a `kind` model of data in `layout` with configuration dimension
  /// `dimension` (3 on SO(3)) and step size h.
  /// - Throws: ``LearningError/invalidConfiguration(name:value:requirement:)`` for an option
  ///   the kind does not take.
  func specification(
    kind: ModelKind, layout: ObservationLayout, dimension: Int, stepSize: Double
  ) throws(LearningError) -> ModelSpecification {
    let network = NetworkArchitecture(width: width, depth: depth, activation: activation)
    let onSO3 = layout == .rigidBody
    if angles, onSO3 {
      throw .invalidConfiguration(
        name: "--angles", value: "set",
        requirement:
          "does not apply to \(kind.rawValue) on SO(3) data, whose configuration is an attitude R")
    }
    if let observe, kind != .vinMq {
      throw .invalidConfiguration(
        name: "--observe", value: observe.rawValue,
        requirement:
          "applies to vin-mq only (\(kind.rawValue) observes \(kind.observesVelocities == true ? "velocities" : "positions only"))"
      )
    }
    if observe == .velocities, !dataHaveVelocities {
      throw .invalidConfiguration(
        name: "--observe", value: "velocities",
        requirement: "needs data with velocity columns v1…")
    }
    if let inertiaScale, kind != .vinSO3 {
      throw .invalidConfiguration(
        name: "--inertia-scale", value: "\(inertiaScale)",
        requirement: "applies to vin-so3 only (\(kind.rawValue) learns no inertia)")
    }
    var forces = ForceSpecification(
      inputs: inputs, dissipation: dissipation, inputMatrix: inputMatrix)
    if forces.dependsOnConfiguration {
      // The networks of B(q) and L(q) have the potential's hidden layers.
      forces.network = network
      forces.angularInputs = angles
    }
    if dissipation != .none, !kind.learnsForces {
      throw .invalidConfiguration(
        name: "--dissipation", value: dissipation.rawValue,
        requirement: "is learned by vin-vv, vin-mq and vin-so3 (\(kind.rawValue) learns none)")
    }
    if forces.dependsOnConfiguration, !kind.learnsForces {
      throw .invalidConfiguration(
        name: dissipation == .configuration ? "--dissipation" : "--input-matrix",
        value: "configuration",
        requirement:
          "is learned by vin-vv, vin-mq and vin-so3 (\(kind.rawValue) learns no forces that depend on the configuration)"
      )
    }
    if inputMatrix == .configuration, inputs == 0 {
      throw .invalidConfiguration(
        name: "--input-matrix", value: "configuration",
        requirement:
          "needs inputs to act on: data with u1… columns, fitted with --inputs learned")
    }
    if kind.isBaseline {
      return ModelSpecification(
        kind: kind, dimension: dimension, stepSize: stepSize,
        network: BaselineNetworkSpecification(
          network, angularInputs: angles, layout: layout, inputs: inputs))
    }
    if inputs > 0, !kind.learnsForces {
      throw .invalidConfiguration(
        name: "--inputs", value: "learned (the data have \(inputs) input columns u1…)",
        requirement:
          "is not yet supported by \(kind.rawValue): pass --inputs none to fit it without the inputs, or fit vin-vv, vin-mq, vin-so3, resnet or feedforward, which learn them"
      )
    }
    let learnedPotential: PotentialSpecification
    switch (potential ?? (onSO3 ? .gravity : .mlp), onSO3) {
    case (.gravity, true): learnedPotential = .rigidBodyGravity
    case (.mlp, true): learnedPotential = .rigidBodyMLP(network)
    case (let other, true):
      throw .invalidConfiguration(
        name: "--potential", value: other.rawValue,
        requirement: "vin-so3 takes gravity (U = e_zᵀRc) or mlp (a network of R)")
    case (.gravity, false):
      throw .invalidConfiguration(
        name: "--potential", value: "gravity",
        requirement: "is the rigid-body potential of vin-so3; use mlp, quadratic or cosine")
    case (.mlp, false): learnedPotential = angles ? .angularMLP(network) : .mlp(network)
    case (.quadratic, false): learnedPotential = .quadratic
    case (.cosine, false): learnedPotential = .cosine
    }
    let learnedMass =
      kind.learnedMass(
        width: width, activation: activation, initialInertiaScale: inertiaScale ?? 1)
      ?? (mass == .identity ? .identity : .constant())
    return ModelSpecification(
      kind: kind, dimension: dimension, stepSize: stepSize, potential: learnedPotential,
      mass: learnedMass, forces: forces,
      observesVelocities: kind == .vinMq
        && (observe ?? (dataHaveVelocities ? .velocities : .positions)) == .velocities)
  }
}
