import DiscreteMechanics
import Foundation
import Manifolds
import _Differentiation

/// A learnable configuration-dependent mass matrix
///
///     M(q) = L(q) L(q)ᵀ + ε I,
///
/// L(q) lower triangular from a one-hidden-layer network `o(q) = W₂ σ(W₁ q + b₁) + b₂` with
/// n(n+1)/2 outputs: `Lᵢᵢ = softplus(oᵢ)` (positive), the strictly lower entries of L are the
/// remaining outputs row by row. M(q) is symmetric positive definite (eigenvalues ≥ ε) for
/// every parameter value. Its derivative is
///
///     ∂M/∂qᵏ = (∂L/∂qᵏ) Lᵀ + L (∂L/∂qᵏ)ᵀ,    ∂o/∂qᵏ = W₂ diag(σ′(z)) W₁ eₖ,
///
/// with `∂Lᵢᵢ/∂qᵏ = logistic(oᵢ) ∂oᵢ/∂qᵏ`. ``VINMq``'s training rollout evaluates the second
/// derivatives its Newton matrix needs, `vᵀ(∂²M/∂qⁱ∂qʲ)v`, analytically; the
/// ``LearnedMassSystem`` that forecasts leaves `∂²M/∂qⁱ∂qʲ` to the `LagrangianSystem`
/// finite-difference defaults.
///
/// Parameters, flat: W₁ (width × n, row-major), b₁, W₂ (n(n+1)/2 × width), b₂. The initial
/// value is `M(q) = I` exactly at every q: W₂ = 0 and the diagonal biases at
/// `softplus⁻¹(√(1 − ε))`, W₁ random N(0, 1/n).
public struct ConfigurationMassMatrix: ParameterFlattening, Sendable, Equatable {
  public var parameters: [Double]
  @noDerivative public let dimension: Int
  @noDerivative public let width: Int
  @noDerivative public let activation: Activation
  @noDerivative public let epsilon: Double

  /// `M(q) = I`, with hidden weights drawn from `generator`.
  /// - Throws: ``LearningError/invalidConfiguration(name:value:requirement:)`` for a dimension
  ///   or width below 1 or an ε outside (0, 1).
  public init(
    dimension: Int, width: Int, activation: Activation = .tanh, epsilon: Double = 1e-4,
    generator: inout SeededGenerator
  ) throws(LearningError) {
    guard dimension >= 1 else {
      throw .invalidConfiguration(
        name: "mass matrix dimension", value: "\(dimension)", requirement: "must be at least 1")
    }
    guard width >= 1 else {
      throw .invalidConfiguration(
        name: "mass matrix width", value: "\(width)", requirement: "must be at least 1")
    }
    guard epsilon.isFinite, epsilon > 0, epsilon < 1 else {
      throw .invalidConfiguration(
        name: "mass matrix epsilon", value: "\(epsilon)", requirement: "must be in (0, 1)")
    }
    self.dimension = dimension
    self.width = width
    self.activation = activation
    self.epsilon = epsilon
    let outputs = dimension * (dimension + 1) / 2
    var values: [Double] = []
    let scale = 1 / Double(dimension).squareRoot()
    for _ in 0..<(width * dimension) {
      values.append(generator.nextNormal(standardDeviation: scale))
    }
    values += Array(repeating: 0, count: width + outputs * width)
    var bias = Array(repeating: 0.0, count: outputs)
    for i in 0..<dimension { bias[i] = log(expm1((1 - epsilon).squareRoot())) }
    parameters = values + bias
  }

  /// A mass matrix with given parameters (the layout above).
  /// - Throws: as ``init(dimension:width:activation:epsilon:generator:)``;
  ///   ``LearningError/dimensionMismatch(name:expected:actual:)`` for a wrong parameter count.
  public init(
    dimension: Int, width: Int, activation: Activation, epsilon: Double, parameters: [Double]
  ) throws(LearningError) {
    var generator = SeededGenerator(seed: 0)
    self = try ConfigurationMassMatrix(
      dimension: dimension, width: width, activation: activation, epsilon: epsilon,
      generator: &generator)
    guard parameters.count == parameterCount else {
      throw .dimensionMismatch(
        name: "mass matrix parameters", expected: parameterCount, actual: parameters.count)
    }
    self.parameters = parameters
  }

  /// The number of parameters `width (n + 1) + n(n+1)/2 (width + 1)`.
  public var parameterCount: Int {
    width * (dimension + 1) + dimension * (dimension + 1) / 2 * (width + 1)
  }

  public var flatParameters: [Double] {
    get { parameters }
    set { parameters = newValue }
  }
  public func flatten(_ tangent: TangentVector) -> [Double] {
    [Double](dense: tangent.parameters, count: parameterCount)
  }

  /// `M(q) = L(q) L(q)ᵀ + ε I`.
  public func matrix(at q: [Double]) -> Matrix {
    Matrix.symmetric(dimension, ConfigurationMassNetwork(self).matrices(at: q).mass)
  }

  /// `∂M/∂qᵏ = (∂L/∂qᵏ) Lᵀ + L (∂L/∂qᵏ)ᵀ`.
  public func derivative(at q: [Double], coordinate k: Int) -> Matrix {
    ConfigurationMassNetwork(self).derivative(at: q, coordinate: k)
  }
}

/// A learned potential with a configuration-dependent mass matrix as a DiscreteMechanics
/// `LagrangianSystem`, `L = ½ q̇ᵀ M(q) q̇ − V(q)`, so that `VariationalMidpoint` steps it.
/// The Hessian `∇²V` and `∂²M/∂qⁱ∂qʲ` of the Newton Jacobian are the protocol's central
/// differences of the analytic first derivatives (about 1e-10 relative): they only steer
/// Newton's iteration, whose converged root is fixed by the exact residual.
public struct LearnedMassSystem<Potential: LearnablePotential>: LagrangianSystem {
  public let potential: Potential
  public let mass: ConfigurationMassMatrix
  /// The mass matrix's network, arranged once.
  private let network: ConfigurationMassNetwork

  /// - Throws: ``LearningError/dimensionMismatch(name:expected:actual:)`` unless potential and
  ///   mass matrix have the same dimension.
  public init(potential: Potential, mass: ConfigurationMassMatrix) throws(LearningError) {
    guard mass.dimension == potential.dimension else {
      throw .dimensionMismatch(
        name: "mass matrix dimension", expected: potential.dimension, actual: mass.dimension)
    }
    self.potential = potential
    self.mass = mass
    network = ConfigurationMassNetwork(mass)
  }

  /// Without the dimension check, for a model whose dimensions were checked when it was built.
  init(unchecked potential: Potential, _ mass: ConfigurationMassMatrix) {
    self.potential = potential
    self.mass = mass
    network = ConfigurationMassNetwork(mass)
  }

  public var dimension: Int { potential.dimension }
  public func potential(at q: [Double]) -> Double { potential.energy(at: q) }
  public func potentialGradient(at q: Span<Double>, into gradient: inout MutableSpan<Double>) {
    let value = potential.gradient(at: (0..<q.count).map { q[$0] })
    for i in gradient.indices { gradient[i] = value[i] }
  }
  public func massMatrix(at q: [Double]) -> Matrix {
    Matrix.symmetric(dimension, network.matrices(at: q).mass)
  }
  public func massMatrixDerivative(at q: [Double], coordinate i: Int) -> Matrix {
    network.derivative(at: q, coordinate: i)
  }
}
