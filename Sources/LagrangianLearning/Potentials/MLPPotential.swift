import DiscreteMechanics
import _Differentiation

/// A neural-network potential `V_θ(q) = f_θ(q)`, a ``MultilayerPerceptron`` with one output,
/// with its analytic input gradient and hand-written pullbacks (Saemundsson et al.,
/// *Variational Integrator Networks*, AISTATS 2020, §3).
public struct MLPPotential: LearnablePotential {
  /// The network, with `shape.outputDimension == 1`.
  public var network: MultilayerPerceptron

  /// A randomly initialised potential on R^`dimension`.
  public init(
    dimension: Int, width: Int, depth: Int, activation: Activation,
    generator: inout SeededGenerator
  ) throws(LearningError) {
    let shape = try NetworkShape(
      inputDimension: dimension, width: width, depth: depth, outputDimension: 1,
      activation: activation)
    network = MultilayerPerceptron(shape: shape, generator: &generator)
  }

  /// A potential with a given network.
  /// - Throws: ``LearningError/dimensionMismatch(name:expected:actual:)`` unless the network
  ///   has one output.
  public init(network: MultilayerPerceptron) throws(LearningError) {
    guard network.shape.outputDimension == 1 else {
      throw .dimensionMismatch(
        name: "potential network output", expected: 1, actual: network.shape.outputDimension)
    }
    self.network = network
  }

  public var dimension: Int { network.shape.inputDimension }
  public var parameterCount: Int { network.parameterCount }
  public var flatParameters: [Double] {
    get { network.flatParameters }
    set { network.flatParameters = newValue }
  }
  public func flatten(_ tangent: TangentVector) -> [Double] { network.flatten(tangent.network) }

  @differentiable(reverse)
  public func energy(at q: [Double]) -> Double { network(q)[0] }

  @differentiable(reverse)
  public func gradient(at q: [Double]) -> [Double] { gradients(at: q) }

  @derivative(of: gradient)
  public func vjpGradient(at q: [Double]) -> (
    value: [Double],
    pullback: ([Double].TangentVector) -> (Self.TangentVector, [Double].TangentVector)
  ) {
    singlePointGradientWithPullback(at: q)
  }

  public func gradients(at points: [Double]) -> [Double] {
    network.inputGradient(points, batch: points.count / dimension).gradient
  }

  public func gradientsWithPullback(at points: [Double]) -> (
    value: [Double], pullback: ([Double], inout Self.TangentVector) -> [Double]
  ) {
    let pass = network.inputGradient(points, batch: points.count / dimension)
    let network = self.network
    return (
      pass.gradient,
      { cotangent, tangent in
        if tangent.network.parameters.scalars.isEmpty {
          tangent.network.parameters = ParameterVector(zeros: network.parameterCount)
        }
        return network.accumulateInputGradientPullback(
          pass, cotangent: cotangent, into: &tangent.network.parameters.scalars)
      }
    )
  }

  public func gradients(
    at points: UnsafePointer<Double>, batch: Int, into gradient: UnsafeMutablePointer<Double>,
    workspace: RolloutWorkspace
  ) {
    network.inputGradient(points, batch: batch, into: gradient, workspace: workspace)
  }

  public func gradientsAndHessians(
    at points: UnsafePointer<Double>, batch: Int, gradient: UnsafeMutablePointer<Double>,
    hessian: UnsafeMutablePointer<Double>, workspace: RolloutWorkspace
  ) {
    network.inputGradientAndHessian(
      points, batch: batch, gradient: gradient, hessian: hessian, workspace: workspace)
  }

  public func accumulateGradientPullback(
    at points: UnsafePointer<Double>, batch: Int, cotangent: UnsafePointer<Double>,
    into hessianProduct: UnsafeMutablePointer<Double>, tangent: inout Self.TangentVector,
    workspace: RolloutWorkspace
  ) {
    if tangent.network.parameters.scalars.isEmpty {
      tangent.network.parameters = ParameterVector(zeros: network.parameterCount)
    }
    tangent.network.parameters.scalars.withUnsafeMutableBufferPointer { g in
      guard let g = g.baseAddress else { return }
      network.accumulateInputGradientPullback(
        points, batch: batch, cotangent: cotangent, into: g, hessianProduct: hessianProduct,
        workspace: workspace)
    }
  }
}
