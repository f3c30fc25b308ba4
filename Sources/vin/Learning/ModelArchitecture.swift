import VINKit

/// The architecture options of `vin fit`, and the one place that turns a ``ModelKind`` into a
/// freshly initialised model: a new kind is one more case in ``makeModel(kind:dimension:stepSize:generator:)``.
struct ModelArchitecture {
  /// The potential of a VIN.
  enum PotentialKind: String, CaseIterable {
    /// An MLP `V_θ(q)` of the given width, depth and activation (of `(cos q, sin q)` with
    /// ``ModelArchitecture/angles``).
    case mlp
    /// `½ k |q|²`, k initialised at 1.
    case quadratic
    /// `a Σ (1 − cos qᵢ)`, a initialised at 1.
    case cosine
    /// vin-so3's heavy-body potential `U(R) = e_zᵀRc`, c initialised at 0.
    case gravity
  }

  /// The mass matrix of a VIN.
  enum MassKind: String, CaseIterable {
    /// `M = I`, not learned.
    case identity
    /// A learned constant SPD `M = LLᵀ`, initialised at the identity.
    case constant
  }

  var width: Int
  var depth: Int
  var activation: Activation
  /// `nil`: the kind's default, gravity for vin-so3 and mlp for the others.
  var potential: PotentialKind?
  var mass: MassKind
  /// vin-so3's initial inertia `J = sI` (`nil`: s = 1).
  var inertiaScale: Double?
  /// The coordinates are angles: MLP potentials are ``AngularMLPPotential``s and baselines see
  /// `(cos q, sin q, q̇)`.
  var angles = false

  /// A randomly initialised model of `kind` on R^`dimension` (vin-so3: on SO(3), `dimension`
  /// unused) with step size h, its weights drawn from `generator`.
  /// - Throws: ``LearningError/invalidConfiguration(name:value:requirement:)`` for a potential
  ///   the kind does not take, or `--inertia-scale` with a kind other than vin-so3.
  func makeModel(
    kind: ModelKind, dimension: Int, stepSize: Double, generator: inout SeededGenerator
  ) throws(LearningError) -> any RolloutModel {
    if angles, kind == .vinSO3 {
      throw .invalidConfiguration(
        name: "--angles", value: "set",
        requirement: "does not apply to vin-so3, whose configuration is an attitude R")
    }
    if let inertiaScale, kind != .vinSO3 {
      throw .invalidConfiguration(
        name: "--inertia-scale", value: "\(inertiaScale)",
        requirement: "applies to vin-so3 only (\(kind.rawValue) learns a mass matrix, see --mass)")
    }
    switch kind {
    case .vinVelocityVerlet:
      let (potential, mass) = try physics(dimension: dimension, generator: &generator)
      return try Self.velocityVerlet(potential, mass, stepSize: stepSize)
    case .vinStormerVerlet:
      let (potential, mass) = try physics(dimension: dimension, generator: &generator)
      return try Self.stormerVerlet(potential, mass, stepSize: stepSize)
    case .vinSO2:
      let (potential, mass) = try physics(dimension: dimension, generator: &generator)
      return try Self.planarLGVI(potential, mass, stepSize: stepSize)
    case .vinMq:
      let (potential, _) = try physics(dimension: dimension, generator: &generator)
      let mass = try ConfigurationMassMatrix(
        dimension: dimension, width: width, activation: activation, generator: &generator)
      return try Self.implicitMidpoint(potential, mass, stepSize: stepSize)
    case .vinSO3:
      return try rigidBody(stepSize: stepSize, generator: &generator)
    case .residualNetwork:
      return try BaselineModel(
        architecture: .residual, dimension: dimension, width: width, depth: depth,
        activation: activation, stepSize: stepSize, angularPositions: angles,
        generator: &generator)
    case .feedForward:
      return try BaselineModel(
        architecture: .feedForward, dimension: dimension, width: width, depth: depth,
        activation: activation, stepSize: stepSize, angularPositions: angles,
        generator: &generator)
    }
  }

  private static func velocityVerlet(
    _ potential: some LearnablePotential, _ mass: some LearnableMassMatrix, stepSize: Double
  ) throws(LearningError) -> any RolloutModel {
    try VINVelocityVerlet(potential: potential, mass: mass, stepSize: stepSize)
  }

  private static func stormerVerlet(
    _ potential: some LearnablePotential, _ mass: some LearnableMassMatrix, stepSize: Double
  ) throws(LearningError) -> any RolloutModel {
    try VINStormerVerlet(potential: potential, mass: mass, stepSize: stepSize)
  }

  private static func planarLGVI(
    _ potential: some LearnablePotential, _ mass: some LearnableMassMatrix, stepSize: Double
  ) throws(LearningError) -> any RolloutModel {
    try VINSO2(potential: potential, mass: mass, stepSize: stepSize)
  }

  private static func implicitMidpoint(
    _ potential: some LearnablePotential, _ mass: ConfigurationMassMatrix, stepSize: Double
  ) throws(LearningError) -> any RolloutModel {
    try VINMq(potential: potential, mass: mass, stepSize: stepSize)
  }

  /// A freshly initialised VIN-SO(3): inertia `J = sI`, the gravity potential or an MLP on the
  /// nine entries of R.
  private func rigidBody(stepSize: Double, generator: inout SeededGenerator)
    throws(LearningError) -> VINSO3
  {
    let scale = inertiaScale ?? 1
    switch potential ?? .gravity {
    case .gravity:
      return try VINSO3(stepSize: stepSize, initialInertiaScale: scale)
    case .mlp:
      let shape = try NetworkShape(
        inputDimension: 9, width: width, depth: depth, outputDimension: 1, activation: activation)
      return try VINSO3(
        stepSize: stepSize, network: MultilayerPerceptron(shape: shape, generator: &generator),
        initialInertiaScale: scale)
    case let other:
      throw .invalidConfiguration(
        name: "--potential", value: other.rawValue,
        requirement: "vin-so3 takes gravity (U = e_zᵀRc) or mlp (a network of R)")
    }
  }

  /// The freshly initialised potential and mass matrix of a VIN.
  private func physics(dimension: Int, generator: inout SeededGenerator) throws(LearningError)
    -> (any LearnablePotential, any LearnableMassMatrix)
  {
    let potential: any LearnablePotential
    switch self.potential ?? .mlp {
    case .mlp where angles:
      potential = try AngularMLPPotential(
        dimension: dimension, width: width, depth: depth, activation: activation,
        generator: &generator)
    case .mlp:
      potential = try MLPPotential(
        dimension: dimension, width: width, depth: depth, activation: activation,
        generator: &generator)
    case .quadratic:
      potential = QuadraticPotential(dimension: dimension, stiffness: 1)
    case .cosine:
      potential = CosinePotential(dimension: dimension, amplitude: 1)
    case .gravity:
      throw .invalidConfiguration(
        name: "--potential", value: "gravity",
        requirement: "is the rigid-body potential of vin-so3; use mlp, quadratic or cosine")
    }
    let mass: any LearnableMassMatrix
    switch self.mass {
    case .identity: mass = IdentityMassMatrix(dimension: dimension)
    case .constant: mass = ConstantMassMatrix(dimension: dimension)
    }
    return (potential, mass)
  }
}
