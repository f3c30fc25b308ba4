import DiscreteMechanics
import Foundation
import Manifolds
import _Differentiation

/// The non-physical baselines of Saemundsson et al. (*Variational Integrator Networks*,
/// AISTATS 2020, §5) on the state `x = (q, q̇)` with a network `f_θ: R^{2n} → R^{2n}`:
///
///     residual network:  x_{k+1} = x_k + h f_θ(x_k)   (explicit Euler of the ODE ẋ = f_θ(x))
///     feed-forward:      x_{k+1} = f_θ(x_k)
///
/// With ``angularPositions`` the network sees `(cos q, sin q, q̇)` (3n inputs) instead of
/// `(q, q̇)`, the same embedding of angles as ``AngularMLPPotential``, so that a VIN and its
/// baseline can be compared on equal inputs. A baseline of a driven system (``inputCount``
/// m > 0) also sees the input held over the step, `x_{k+1} = x_k + h f_θ(x_k, u_k)`: the
/// network's inputs are the state's followed by `u_k`.
///
/// On a rigid body (``observationLayout`` ``ObservationLayout/rigidBody``) the state is the
/// 12-vector `x = (R11, …, R33, Ω)` of the observations and `f_θ: R¹² → R¹²`: nothing keeps
/// the predicted R̂ on SO(3), so a forecast reports the rotation nearest to R̂
/// (`SO3(nearestTo:)`: the orthogonal polar factor while `det R̂ > 0`, `U diag(1, 1, −1) Vᵀ`
/// past it) while it iterates the map on the unprojected x, as training does.
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
  /// The state space: coordinates `x = (q, q̇)`, or a rigid body's `x = (R, Ω)`.
  @noDerivative public let observationLayout: ObservationLayout
  /// The number m of inputs `u` the network sees after the state (0: an unforced baseline).
  @noDerivative public let inputCount: Int

  /// - Throws: ``LearningError/dimensionMismatch(name:expected:actual:)`` unless the network
  ///   maps R^{2n} (R^{3n} with `angularPositions`), and m more with `inputCount` m, to R^{2n},
  ///   or R^{12+m} to R¹² on a rigid body;
  ///   ``LearningError/invalidConfiguration(name:value:requirement:)`` unless h is positive
  ///   and finite and m is not negative, and for `angularPositions` on a rigid body.
  public init(
    network: MultilayerPerceptron, architecture: Architecture, stepSize: Double,
    angularPositions: Bool = false, layout: ObservationLayout = .coordinates, inputCount: Int = 0
  ) throws(LearningError) {
    guard inputCount >= 0 else {
      throw .invalidConfiguration(
        name: "input count", value: "\(inputCount)", requirement: "must not be negative")
    }
    let shape = network.shape
    let outputs: Int
    let inputs: Int
    switch layout {
    case .coordinates:
      let n = shape.outputDimension / 2
      guard shape.outputDimension % 2 == 0, n >= 1 else {
        throw .dimensionMismatch(
          name: "baseline network output (2 per coordinate)",
          expected: shape.outputDimension + 1, actual: shape.outputDimension)
      }
      outputs = 2 * n
      inputs = (angularPositions ? 3 : 2) * n
    case .rigidBody:
      guard !angularPositions else {
        throw .invalidConfiguration(
          name: "angular inputs", value: "true",
          requirement: "apply to coordinates that are angles, not to a rigid body's (R, Ω)")
      }
      outputs = layout.observationDimension(configurationDimension: 3, velocities: true)
      inputs = outputs
    }
    guard shape.outputDimension == outputs else {
      throw .dimensionMismatch(
        name: "baseline network output", expected: outputs, actual: shape.outputDimension)
    }
    guard shape.inputDimension == inputs + inputCount else {
      throw .dimensionMismatch(
        name: "baseline network input", expected: inputs + inputCount,
        actual: shape.inputDimension)
    }
    try ModelLimits.checkStepSize(stepSize, field: "step size")
    self.network = network
    self.architecture = architecture
    self.stepSize = stepSize
    self.angularPositions = angularPositions
    observationLayout = layout
    self.inputCount = inputCount
  }

  /// A randomly initialised baseline on R^n, or on a rigid body (`layout`
  /// ``ObservationLayout/rigidBody``, `dimension` 3).
  /// - Throws: as ``init(network:architecture:stepSize:angularPositions:layout:inputCount:)``;
  ///   ``LearningError/dimensionMismatch(name:expected:actual:)`` for a rigid body of another
  ///   dimension than 3.
  public init(
    architecture: Architecture, dimension: Int, width: Int, depth: Int, activation: Activation,
    stepSize: Double, angularPositions: Bool = false, layout: ObservationLayout = .coordinates,
    inputCount: Int = 0, generator: inout SeededGenerator
  ) throws(LearningError) {
    guard inputCount >= 0 else {
      throw .invalidConfiguration(
        name: "input count", value: "\(inputCount)", requirement: "must not be negative")
    }
    if layout == .rigidBody, dimension != 3 {
      throw .dimensionMismatch(
        name: "rigid-body baseline dimension (SO(3))", expected: 3, actual: dimension)
    }
    let state = layout.observationDimension(configurationDimension: dimension, velocities: true)
    let shape = try NetworkShape(
      inputDimension: (angularPositions ? 3 * dimension : state) + inputCount, width: width,
      depth: depth, outputDimension: state, activation: activation)
    try self.init(
      network: MultilayerPerceptron(shape: shape, generator: &generator),
      architecture: architecture, stepSize: stepSize, angularPositions: angularPositions,
      layout: layout, inputCount: inputCount)
  }

  public var kind: ModelKind {
    architecture == .residual ? .residualNetwork : .feedForward
  }
  /// n on Rⁿ (the network maps 2n numbers), 3 on a rigid body.
  public var configurationDimension: Int {
    observationLayout == .rigidBody ? 3 : network.shape.outputDimension / 2
  }
  public var observesVelocities: Bool { true }
  /// The state x: 2n numbers, or 12 on a rigid body.
  public var initialStateDimension: Int { network.shape.outputDimension }

  public var parameterCount: Int { network.parameterCount }
  public var flatParameters: [Double] {
    get { network.flatParameters }
    set { network.flatParameters = newValue }
  }
  public func flatten(_ tangent: TangentVector) -> [Double] { network.flatten(tangent.network) }

  public func naiveInitialState(_ observations: [Double]) -> [Double] {
    Array(observations[..<initialStateDimension])
  }

  /// One step from the batch of states `x` (B states of 2n back to back) with the inputs `u`
  /// (B blocks of m, empty without inputs), and the network's intermediate values.
  func step(_ x: [Double], _ u: [Double]) -> (
    next: [Double], evaluation: MultilayerPerceptron.Evaluation
  ) {
    let evaluation = network.evaluate(
      networkInput(x, u), batch: x.count / initialStateDimension)
    switch architecture {
    case .residual:
      var next = x
      axpy(stepSize, evaluation.output, &next)
      return (next, evaluation)
    case .feedForward:
      return (evaluation.output, evaluation)
    }
  }

  /// The number of the network's inputs that come from the state: 2n, 3n with
  /// ``angularPositions``, or 12 on a rigid body.
  var stateInputCount: Int { network.shape.inputDimension - inputCount }

  /// The network's inputs for B states `(q, q̇)` back to back and their inputs `u` (B blocks of
  /// m): each state itself, or `(cos q, sin q, q̇)` with ``angularPositions``, followed by its u.
  func networkInput(_ x: [Double], _ u: [Double]) -> [Double] {
    let d = initialStateDimension
    let m = inputCount
    if !angularPositions, m == 0 { return x }
    let n = configurationDimension
    var input: [Double] = []
    input.reserveCapacity((stateInputCount + m) * x.count / d)
    for b in 0..<(x.count / d) {
      if angularPositions {
        let q = x[(2 * b * n)..<((2 * b + 1) * n)]
        input += q.map { cos($0) }
        input += q.map { sin($0) }
        input += x[((2 * b + 1) * n)..<((2 * b + 2) * n)]
      } else {
        input += x[(b * d)..<((b + 1) * d)]
      }
      input += u[(b * m)..<((b + 1) * m)]
    }
    return input
  }

  /// The cotangent of the states `x` for the cotangent `inputBar` of
  /// ``networkInput(_:_:)``: `q̄ = −sin q c̄ + cos q s̄`, `v̄` unchanged (the inputs u are
  /// data, and have none).
  func pullbackNetworkInput(_ x: [Double], _ inputBar: [Double]) -> [Double] {
    let d = initialStateDimension
    let m = inputCount
    if !angularPositions, m == 0 { return inputBar }
    let n = configurationDimension
    let width = stateInputCount + m
    var xBar = Array(repeating: 0.0, count: x.count)
    for b in 0..<(x.count / d) {
      let o = b * width
      if angularPositions {
        for i in 0..<n {
          let q = x[2 * b * n + i]
          let (cBar, sBar) = (inputBar[o + i], inputBar[o + n + i])
          xBar[2 * b * n + i] = -sin(q) * cBar + cos(q) * sBar
          xBar[(2 * b + 1) * n + i] = inputBar[o + 2 * n + i]
        }
      } else {
        for i in 0..<d { xBar[b * d + i] = inputBar[o + i] }
      }
    }
    return xBar
  }

  /// The inputs of step k of B windows whose inputs are window-major (`steps · m` each).
  func stepInputs(_ inputs: [Double], _ k: Int, steps: Int) -> [Double] {
    inputCount == 0 ? [] : stepRow(inputs, k, rowCount: steps, width: inputCount)
  }

  /// Predicted `x_k`, k = 0…`steps`. `initial` may hold a batch of B initial states back to
  /// back; the result then holds B windows back to back.
  @differentiable(reverse,wrt: (self, initial))
  public func rollout(from initial: [Double], steps: Int) -> [Double] {
    rollout(from: initial, inputs: [], steps: steps, workspace: RolloutWorkspace())
  }

  /// The rollout driven by `inputs` (window b's `u_0, …, u_{K−1}`, m each, back to back).
  @differentiable(reverse,wrt: (self, initial))
  public func rollout(
    from initial: [Double], inputs: [Double], steps: Int, workspace: RolloutWorkspace
  ) -> [Double] {
    rolloutForward(initial, inputs, steps).output
  }

  /// The window-major output, the states step by step and the network's evaluations.
  func rolloutForward(_ initial: [Double], _ inputs: [Double], _ steps: Int) -> (
    output: [Double], states: [[Double]], evaluations: [MultilayerPerceptron.Evaluation]
  ) {
    var rows = [initial]
    var evaluations: [MultilayerPerceptron.Evaluation] = []
    for k in 0..<steps {
      let (next, evaluation) = step(rows[k], stepInputs(inputs, k, steps: steps))
      evaluations.append(evaluation)
      rows.append(next)
    }
    return (windowMajor(rows, width: initialStateDimension), rows, evaluations)
  }

  @derivative(of: rollout(from:inputs:steps:workspace:), wrt: (self, initial))
  public func vjpRollout(
    from initial: [Double], inputs: [Double], steps: Int, workspace: RolloutWorkspace
  ) -> (
    value: [Double],
    pullback: ([Double].TangentVector) -> (TangentVector, [Double].TangentVector)
  ) {
    let (output, states, evaluations) = rolloutForward(initial, inputs, steps)
    let d = initialStateDimension
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

  /// A forecast by iterating the learned map (no energy: these models have none). On a rigid
  /// body the attitudes reported are the rotations nearest to the predicted R̂ (R₀ itself at
  /// step 0).
  /// - Throws: as ``RolloutModel/forecast(from:steps:)``;
  ///   ``LearningError/integrationFailed(_:)`` when the state stops being finite.
  public func forecast(from initial: MechanicalState, steps: Int) throws(LearningError)
    -> ForecastTrajectory
  {
    try forecast(from: initial, inputs: [], steps: steps)
  }

  /// The forecast of ``forecast(from:steps:)`` driven by `inputs` (`u_k` held over step k; at
  /// least `steps` rows of ``inputCount`` numbers, none for an unforced baseline).
  /// - Throws: as ``forecast(from:steps:)``; as ``RolloutModel/checkForecastInputs(_:steps:)``.
  public func forecast(from initial: MechanicalState, inputs: [[Double]], steps: Int)
    throws(LearningError) -> ForecastTrajectory
  {
    try checkForecastInputs(inputs, steps: steps)
    let times = (0...steps).map { Double($0) * stepSize }
    switch observationLayout {
    case .coordinates:
      let n = configurationDimension
      let (q0, v0) = try initial.coordinates(dimension: n, model: kind)
      let states = try iterate(from: q0 + v0, inputs: inputs, steps: steps)
      return .coordinates(
        Forecast(
          times: times, positions: states.map { Array($0[..<n]) },
          velocities: states.map { Array($0[n...]) }, energies: nil))
    case .rigidBody:
      let (r0, w0) = try initial.rigidBody(model: kind)
      let states = try iterate(
        from: r0.matrix.entries + w0.components, inputs: inputs, steps: steps)
      var attitudes = [r0]
      for k in 1..<states.count {
        do throws(ManifoldError) {
          attitudes.append(try SO3(nearestTo: Matrix3(entries: Array(states[k][..<9]))))
        } catch {
          // Only a non-finite R̂ has no nearest rotation, and iterate(from:steps:) has refused it.
          throw .integrationFailed(.nonFiniteState(step: k))
        }
      }
      return .rigidBody(
        SO3Forecast(
          times: times, attitudes: attitudes,
          angularVelocities: states.map { Vector3($0[9], $0[10], $0[11]) }, energies: nil))
    }
  }

  /// `x_k`, k = 0…`steps`, from `x₀` with the inputs `inputs` (checked).
  /// - Throws: ``LearningError/integrationFailed(_:)`` naming the first non-finite step.
  private func iterate(from x0: [Double], inputs: [[Double]], steps: Int) throws(LearningError)
    -> [[Double]]
  {
    var states = [x0]
    for k in 0..<steps {
      let x = step(states[k], inputCount > 0 ? inputs[k] : []).next
      guard x.allSatisfy(\.isFinite) else { throw .integrationFailed(.nonFiniteState(step: k)) }
      states.append(x)
    }
    return states
  }
}
