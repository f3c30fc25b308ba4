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
  var potential: PotentialKind
  var mass: MassKind
  /// The coordinates are angles: MLP potentials are ``AngularMLPPotential``s and baselines see
  /// `(cos q, sin q, q̇)`.
  var angles = false

  /// A randomly initialised model of `kind` on R^`dimension` with step size h, its weights drawn
  /// from `generator`.
  func makeModel(
    kind: ModelKind, dimension: Int, stepSize: Double, generator: inout SeededGenerator
  ) throws(LearningError) -> any RolloutModel {
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
      // Its observations are attitudes and body angular velocities, not the q, v columns
      // `vin fit` reads; fit it from Swift (Examples/LearnRigidBody).
      throw .invalidConfiguration(
        name: "--model", value: kind.rawValue,
        requirement: "is not yet trainable from the command line; see Examples/LearnRigidBody")
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

  /// The freshly initialised potential and mass matrix of a VIN.
  private func physics(dimension: Int, generator: inout SeededGenerator) throws(LearningError)
    -> (any LearnablePotential, any LearnableMassMatrix)
  {
    let potential: any LearnablePotential
    switch self.potential {
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
    }
    let mass: any LearnableMassMatrix
    switch self.mass {
    case .identity: mass = IdentityMassMatrix(dimension: dimension)
    case .constant: mass = ConstantMassMatrix(dimension: dimension)
    }
    return (potential, mass)
  }
}
