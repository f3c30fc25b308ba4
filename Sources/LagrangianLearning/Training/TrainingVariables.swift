import _Differentiation

/// Everything the optimiser updates: the model, the per-window initial states (when they are
/// inferred, ``InitialStateInference/learned``) and the log noise scale `s = log σ`.
struct TrainingVariables<Model: RolloutModel>: Differentiable, Sendable {
  var model: Model
  var initialStates: ParameterVector
  var logNoiseScale: Double

  var flat: [Double] {
    get { model.flatParameters + initialStates.scalars + [logNoiseScale] }
    set {
      let p = model.parameterCount
      let s = initialStates.count
      model.flatParameters = Array(newValue[..<p])
      initialStates = ParameterVector(Array(newValue[p..<(p + s)]))
      logNoiseScale = newValue[p + s]
    }
  }

  func flatten(_ tangent: TangentVector) -> [Double] {
    model.flatten(tangent.model) + tangent.initialStates.dense(count: initialStates.count)
      + [tangent.logNoiseScale]
  }
}

/// The summed loss of the windows `indices` (window `i`'s inferred initial state is entry
/// block `i` of `initialStates`).
@differentiable(reverse,wrt: variables)
func summedLoss<Model: RolloutModel>(
  _ variables: TrainingVariables<Model>, windows: [TrainingWindow], indices: [Int],
  horizon: Int, kind: RolloutLossKind, learnedStarts: Bool
) -> Double {
  var total = 0.0
  let d = withoutDerivative(at: variables.model.initialStateDimension)
  for i in withoutDerivative(at: indices) {
    let window = windows[i]
    let start =
      learnedStarts
      ? variables.initialStates.slice(from: i * d, count: d) : window.naiveInitialState
    let prediction = variables.model.rollout(from: start, steps: horizon)
    total += windowLoss(
      prediction, window.observations, logNoiseScale: variables.logNoiseScale, kind: kind)
  }
  return total
}
