import DiscreteMechanics
import Foundation
import _Differentiation

/// A neural-network potential of angles, `V_θ(q) = f_θ(cos q₁, sin q₁, …, cos qₙ, sin qₙ)`:
/// a ``MultilayerPerceptron`` with 2n inputs and one output, composed with the embedding of
/// each coordinate in the unit circle, so that V is 2π-periodic in every qᵢ by construction.
///
/// For a pendulum or any chain of hinges the configuration space is a torus, and an MLP of
/// the raw angle has to learn the periodicity from data: a trajectory that goes over the top
/// visits angles far outside the range of the others, where such a network extrapolates
/// (measured on the data-rich noisy pendulum, whose 25 training trajectories include three
/// that rotate: the acceleration error of a raw-angle MLP was 4.5–6.6 beyond |q| = π against
/// 0.6–1.0 inside; Docs/Learning.md). With `xᵢ = (cos qᵢ, sin qᵢ)` and `∂f/∂xᵢ = (f_cᵢ, f_sᵢ)`:
///
///     ∂V/∂qᵢ = −sin qᵢ f_cᵢ + cos qᵢ f_sᵢ
///
/// and the pullback of `(θ, q) ↦ ∇_qV` for cotangents ḡ is the network's input-gradient
/// pullback for `uᵢ = (−sin qᵢ ḡᵢ, cos qᵢ ḡᵢ)`, returning `w = ∇ₓ²f u`, and
///
///     q̄ᵢ = ḡᵢ (−cos qᵢ f_cᵢ − sin qᵢ f_sᵢ) − sin qᵢ w_cᵢ + cos qᵢ w_sᵢ.
///
/// The Hessian, with `tᵢ = (−sin qᵢ, cos qᵢ)` and F the network's Hessian in x, is
///
///     ∂²V/∂qᵢ∂qⱼ = tᵢᵀ F_{xᵢxⱼ} tⱼ + δᵢⱼ (−cos qᵢ f_cᵢ − sin qᵢ f_sᵢ).
public struct AngularMLPPotential: LearnablePotential {
  /// The network on the 2n embedded coordinates, with one output.
  public var network: MultilayerPerceptron

  /// A randomly initialised potential of `dimension` angles.
  public init(
    dimension: Int, width: Int, depth: Int, activation: Activation,
    generator: inout SeededGenerator
  ) throws(LearningError) {
    let shape = try NetworkShape(
      inputDimension: 2 * dimension, width: width, depth: depth, outputDimension: 1,
      activation: activation)
    network = MultilayerPerceptron(shape: shape, generator: &generator)
  }

  /// A potential with a given network.
  /// - Throws: ``LearningError/dimensionMismatch(name:expected:actual:)`` unless the network
  ///   has one output and an even number of inputs.
  public init(network: MultilayerPerceptron) throws(LearningError) {
    guard network.shape.outputDimension == 1 else {
      throw .dimensionMismatch(
        name: "potential network output", expected: 1, actual: network.shape.outputDimension)
    }
    let inputs = network.shape.inputDimension
    guard inputs % 2 == 0 else {
      throw .dimensionMismatch(
        name: "angular potential network input (2 per angle)", expected: inputs + 1,
        actual: inputs)
    }
    self.network = network
  }

  public var dimension: Int { network.shape.inputDimension / 2 }
  public var parameterCount: Int { network.parameterCount }
  public var flatParameters: [Double] {
    get { network.flatParameters }
    set { network.flatParameters = newValue }
  }
  public func flatten(_ tangent: TangentVector) -> [Double] { network.flatten(tangent.network) }

  @differentiable(reverse)
  public func energy(at q: [Double]) -> Double { network(Self.embed(q))[0] }

  /// `(cos q₁, sin q₁, …, cos qₙ, sin qₙ)` (points back to back stay back to back).
  @differentiable(reverse)
  static func embed(_ q: [Double]) -> [Double] { q.flatMap { [cos($0), sin($0)] } }

  @derivative(of: embed)
  static func vjpEmbed(_ q: [Double]) -> (
    value: [Double], pullback: ([Double].TangentVector) -> [Double].TangentVector
  ) {
    (
      embed(q),
      { cotangent in
        let x = [Double](dense: cotangent, count: 2 * q.count)
        return .init(q.indices.map { -sin(q[$0]) * x[2 * $0] + cos(q[$0]) * x[2 * $0 + 1] })
      }
    )
  }

  @differentiable(reverse)
  public func gradient(at q: [Double]) -> [Double] { gradients(at: q) }

  @derivative(of: gradient)
  public func vjpGradient(at q: [Double]) -> (
    value: [Double],
    pullback: ([Double].TangentVector) -> (Self.TangentVector, [Double].TangentVector)
  ) {
    singlePointGradientWithPullback(at: q)
  }

  /// `∂V/∂qᵢ = −sin qᵢ f_cᵢ + cos qᵢ f_sᵢ` from the network's input gradient.
  static func chain(_ points: [Double], _ networkGradient: [Double]) -> [Double] {
    points.indices.map {
      -sin(points[$0]) * networkGradient[2 * $0] + cos(points[$0]) * networkGradient[2 * $0 + 1]
    }
  }

  public func gradients(at points: [Double]) -> [Double] {
    let pass = network.inputGradient(Self.embed(points), batch: points.count / dimension)
    return Self.chain(points, pass.gradient)
  }

  public func gradientsWithPullback(at points: [Double]) -> (
    value: [Double], pullback: ([Double], inout Self.TangentVector) -> [Double]
  ) {
    let pass = network.inputGradient(Self.embed(points), batch: points.count / dimension)
    let network = self.network
    return (
      Self.chain(points, pass.gradient),
      { cotangent, tangent in
        if tangent.network.parameters.scalars.isEmpty {
          tangent.network.parameters = ParameterVector(zeros: network.parameterCount)
        }
        var u = Array(repeating: 0.0, count: 2 * points.count)
        for i in points.indices {
          u[2 * i] = -sin(points[i]) * cotangent[i]
          u[2 * i + 1] = cos(points[i]) * cotangent[i]
        }
        let w = network.accumulateInputGradientPullback(
          pass, cotangent: u, into: &tangent.network.parameters.scalars)
        let f = pass.gradient
        return points.indices.map { i in
          let (c, s) = (cos(points[i]), sin(points[i]))
          return cotangent[i] * (-c * f[2 * i] - s * f[2 * i + 1]) - s * w[2 * i] + c * w[2 * i + 1]
        }
      }
    )
  }

  public func gradients(
    at points: UnsafePointer<Double>, batch: Int, into gradient: UnsafeMutablePointer<Double>,
    workspace: RolloutWorkspace
  ) {
    let count = batch * dimension
    let buffer = workspace.buffer(.embedding, count: 4 * count)
    let (x, f) = (buffer, buffer + 2 * count)
    for i in 0..<count {
      x[2 * i] = cos(points[i])
      x[2 * i + 1] = sin(points[i])
    }
    network.inputGradient(x, batch: batch, into: f, workspace: workspace)
    for i in 0..<count { gradient[i] = -x[2 * i + 1] * f[2 * i] + x[2 * i] * f[2 * i + 1] }
  }

  public func gradientsAndHessians(
    at points: UnsafePointer<Double>, batch: Int, gradient: UnsafeMutablePointer<Double>,
    hessian: UnsafeMutablePointer<Double>, workspace: RolloutWorkspace
  ) {
    let n = dimension
    let d = 2 * n
    let count = batch * n
    let buffer = workspace.buffer(.embedding, count: 4 * count + batch * d * d)
    let (x, f, networkHessian) = (buffer, buffer + 2 * count, buffer + 4 * count)
    for i in 0..<count {
      x[2 * i] = cos(points[i])
      x[2 * i + 1] = sin(points[i])
    }
    network.inputGradientAndHessian(
      x, batch: batch, gradient: f, hessian: networkHessian, workspace: workspace)
    for b in 0..<batch {
      let (xb, fb, hb) = (x + b * d, f + b * d, networkHessian + b * d * d)
      for i in 0..<n {
        let (c, s) = (xb[2 * i], xb[2 * i + 1])
        gradient[b * n + i] = -s * fb[2 * i] + c * fb[2 * i + 1]
        for j in 0..<n {
          let (cj, sj) = (xb[2 * j], xb[2 * j + 1])
          let (row0, row1) = (hb + (2 * i) * d + 2 * j, hb + (2 * i + 1) * d + 2 * j)
          // tᵢᵀ F tⱼ with tᵢ = (−sᵢ, cᵢ).
          var entry =
            -s * (-sj * row0[0] + cj * row0[1]) + c * (-sj * row1[0] + cj * row1[1])
          if i == j { entry += -c * fb[2 * i] - s * fb[2 * i + 1] }
          hessian[(b * n + i) * n + j] = entry
        }
      }
    }
  }

  public func accumulateGradientPullback(
    at points: UnsafePointer<Double>, batch: Int, cotangent: UnsafePointer<Double>,
    into hessianProduct: UnsafeMutablePointer<Double>, tangent: inout Self.TangentVector,
    workspace: RolloutWorkspace
  ) {
    if tangent.network.parameters.scalars.isEmpty {
      tangent.network.parameters = ParameterVector(zeros: network.parameterCount)
    }
    let count = batch * dimension
    let buffer = workspace.buffer(.embedding, count: 8 * count)
    let (x, f, u, w) = (buffer, buffer + 2 * count, buffer + 4 * count, buffer + 6 * count)
    for i in 0..<count {
      x[2 * i] = cos(points[i])
      x[2 * i + 1] = sin(points[i])
      u[2 * i] = -x[2 * i + 1] * cotangent[i]
      u[2 * i + 1] = x[2 * i] * cotangent[i]
    }
    network.inputGradient(x, batch: batch, into: f, workspace: workspace)
    tangent.network.parameters.scalars.withUnsafeMutableBufferPointer { g in
      guard let g = g.baseAddress else { return }
      network.accumulateInputGradientPullback(
        x, batch: batch, cotangent: u, into: g, hessianProduct: w, workspace: workspace)
    }
    for i in 0..<count {
      let (c, s) = (x[2 * i], x[2 * i + 1])
      hessianProduct[i] =
        cotangent[i] * (-c * f[2 * i] - s * f[2 * i + 1]) - s * w[2 * i] + c * w[2 * i + 1]
    }
  }
}
