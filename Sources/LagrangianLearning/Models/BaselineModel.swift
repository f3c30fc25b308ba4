import DiscreteMechanics
import Foundation
import _Differentiation

/// The non-physical baselines of Saemundsson et al. (*Variational Integrator Networks*,
/// AISTATS 2020, §5) on the state `x = (q, q̇)` with a network `f_θ: R^{2n} → R^{2n}`:
///
///     residual network:  x_{k+1} = x_k + h f_θ(x_k)   (explicit Euler of the ODE ẋ = f_θ(x))
///     feed-forward:      x_{k+1} = f_θ(x_k)
///
/// With ``angularPositions`` the network sees `(cos q, sin q, q̇)` (3n inputs) instead of
/// `(q, q̇)`, the same embedding of angles as ``AngularMLPPotential``, so that a VIN and its
/// baseline can be compared on equal inputs.
///
/// The rollout's pullback is hand-written backpropagation through time over the network's
/// own hand-written layer pullbacks.
public struct BaselineModel: RolloutModel {
  /// Which map a step is.
  public enum Architecture: String, Codable, Sendable {
    case residual
    case feedForward
  }

  public var network: MultilayerPerceptron
  @noDerivative public let architecture: Architecture
  @noDerivative public let stepSize: Double
  /// Whether the network's inputs are `(cos q, sin q, q̇)` rather than `(q, q̇)`.
  @noDerivative public let angularPositions: Bool

  /// - Throws: ``LearningError/dimensionMismatch(name:expected:actual:)`` unless the network
  ///   maps R^{2n} (R^{3n} with `angularPositions`) to R^{2n};
  ///   ``LearningError/invalidConfiguration(name:value:requirement:)`` unless h is positive
  ///   and finite.
  public init(
    network: MultilayerPerceptron, architecture: Architecture, stepSize: Double,
    angularPositions: Bool = false
  ) throws(LearningError) {
    let shape = network.shape
    let n = shape.outputDimension / 2
    guard shape.outputDimension % 2 == 0, n >= 1 else {
      throw .dimensionMismatch(
        name: "baseline network output (2 per coordinate)", expected: shape.outputDimension + 1,
        actual: shape.outputDimension)
    }
    let inputs = (angularPositions ? 3 : 2) * n
    guard shape.inputDimension == inputs else {
      throw .dimensionMismatch(
        name: "baseline network input", expected: inputs, actual: shape.inputDimension)
    }
    try ModelLimits.checkStepSize(stepSize, field: "step size")
    self.network = network
    self.architecture = architecture
    self.stepSize = stepSize
    self.angularPositions = angularPositions
  }

  /// A randomly initialised baseline on R^n.
  public init(
    architecture: Architecture, dimension: Int, width: Int, depth: Int, activation: Activation,
    stepSize: Double, angularPositions: Bool = false, generator: inout SeededGenerator
  ) throws(LearningError) {
    let shape = try NetworkShape(
      inputDimension: (angularPositions ? 3 : 2) * dimension, width: width, depth: depth,
      outputDimension: 2 * dimension, activation: activation)
    try self.init(
      network: MultilayerPerceptron(shape: shape, generator: &generator),
      architecture: architecture, stepSize: stepSize, angularPositions: angularPositions)
  }

  public var kind: ModelKind {
    architecture == .residual ? .residualNetwork : .feedForward
  }
  public var configurationDimension: Int { network.shape.outputDimension / 2 }
  public var observesVelocities: Bool { true }
  public var initialStateDimension: Int { 2 * configurationDimension }

  public var parameterCount: Int { network.parameterCount }
  public var flatParameters: [Double] {
    get { network.flatParameters }
    set { network.flatParameters = newValue }
  }
  public func flatten(_ tangent: TangentVector) -> [Double] { network.flatten(tangent.network) }

  public func naiveInitialState(_ observations: [Double]) -> [Double] {
    Array(observations[..<initialStateDimension])
  }

  /// Any layout: a baseline maps the observation vector to the next, whatever it means (on
  /// ``ObservationLayout/rigidBody`` data n = 6, the 12-vector `(R, Ω)`).
  public func accepts(_ layout: ObservationLayout) -> Bool { true }

  /// One step from the batch of states `x` (B states of 2n back to back), with the
  /// network's intermediate values.
  func step(_ x: [Double]) -> (next: [Double], evaluation: MultilayerPerceptron.Evaluation) {
    let evaluation = network.evaluate(networkInput(x), batch: x.count / initialStateDimension)
    switch architecture {
    case .residual:
      var next = x
      axpy(stepSize, evaluation.output, &next)
      return (next, evaluation)
    case .feedForward:
      return (evaluation.output, evaluation)
    }
  }

  /// The network's inputs for B states `(q, q̇)` back to back: the states themselves, or
  /// `(cos q, sin q, q̇)` with ``angularPositions``.
  func networkInput(_ x: [Double]) -> [Double] {
    guard angularPositions else { return x }
    let n = configurationDimension
    var input: [Double] = []
    input.reserveCapacity(3 * x.count / 2)
    for b in 0..<(x.count / (2 * n)) {
      let q = x[(2 * b * n)..<((2 * b + 1) * n)]
      input += q.map { cos($0) }
      input += q.map { sin($0) }
      input += x[((2 * b + 1) * n)..<((2 * b + 2) * n)]
    }
    return input
  }

  /// The cotangent of the states `x` for the cotangent `inputBar` of ``networkInput(_:)``:
  /// `q̄ = −sin q c̄ + cos q s̄`, `v̄` unchanged.
  func pullbackNetworkInput(_ x: [Double], _ inputBar: [Double]) -> [Double] {
    guard angularPositions else { return inputBar }
    let n = configurationDimension
    var xBar = Array(repeating: 0.0, count: x.count)
    for b in 0..<(x.count / (2 * n)) {
      for i in 0..<n {
        let q = x[2 * b * n + i]
        let (cBar, sBar) = (inputBar[3 * b * n + i], inputBar[(3 * b + 1) * n + i])
        xBar[2 * b * n + i] = -sin(q) * cBar + cos(q) * sBar
        xBar[(2 * b + 1) * n + i] = inputBar[(3 * b + 2) * n + i]
      }
    }
    return xBar
  }

  /// Predicted `x_k`, k = 0…`steps`. `initial` may hold a batch of B initial states back to
  /// back; the result then holds B windows back to back.
  @differentiable(reverse,wrt: (self, initial))
  public func rollout(from initial: [Double], steps: Int) -> [Double] {
    var rows = [initial]
    for _ in 0..<steps { rows.append(step(rows[rows.count - 1]).next) }
    return windowMajor(rows, width: initialStateDimension)
  }

  @derivative(of: rollout, wrt: (self, initial))
  public func vjpRollout(from initial: [Double], steps: Int) -> (
    value: [Double],
    pullback: ([Double].TangentVector) -> (TangentVector, [Double].TangentVector)
  ) {
    var rows = [initial]
    var evaluations: [MultilayerPerceptron.Evaluation] = []
    for _ in 0..<steps {
      let (next, evaluation) = step(rows[rows.count - 1])
      evaluations.append(evaluation)
      rows.append(next)
    }
    let d = initialStateDimension
    let output = windowMajor(rows, width: d)
    let states = rows
    let network = self.network
    let architecture = self.architecture
    let h = stepSize
    return (
      output,
      { cotangent in
        let bar = [Double](dense: cotangent, count: output.count)
        var gradient = Array(repeating: 0.0, count: network.parameterCount)
        var xBar = stepRow(bar, steps, rowCount: steps + 1, width: d)
        for k in stride(from: steps - 1, through: 0, by: -1) {
          var previous = stepRow(bar, k, rowCount: steps + 1, width: d)
          switch architecture {
          case .residual:
            let through = network.accumulatePullback(
              evaluations[k], outputCotangent: xBar.map { h * $0 }, into: &gradient)
            axpy(1, xBar, &previous)
            axpy(1, pullbackNetworkInput(states[k], through), &previous)
          case .feedForward:
            let through = network.accumulatePullback(
              evaluations[k], outputCotangent: xBar, into: &gradient)
            axpy(1, pullbackNetworkInput(states[k], through), &previous)
          }
          xBar = previous
        }
        return (TangentVector(network: .init(parameters: ParameterVector(gradient))), .init(xBar))
      }
    )
  }

  /// A forecast by iterating the learned map (no energy: these models have none).
  public func forecast(position q0: [Double], velocity v0: [Double], steps: Int)
    throws(LearningError) -> Forecast
  {
    let n = configurationDimension
    guard q0.count == n else { throw .dimensionMismatch(name: "q0", expected: n, actual: q0.count) }
    guard v0.count == n else { throw .dimensionMismatch(name: "v0", expected: n, actual: v0.count) }
    var x = q0 + v0
    var positions = [q0]
    var velocities = [v0]
    for k in 0..<steps {
      x = step(x).next
      guard x.allSatisfy(\.isFinite) else { throw .integrationFailed(.nonFiniteState(step: k)) }
      positions.append(Array(x[..<n]))
      velocities.append(Array(x[n...]))
    }
    return Forecast(
      times: (0...steps).map { Double($0) * stepSize }, positions: positions,
      velocities: velocities, energies: nil)
  }
}
