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

/// The summed loss of the windows `indices` (window `i`'s inferred initial state is described
/// by block `i` of `initialStates`, its start parameters, see
/// ``RolloutModel/initialStates(startParameters:naive:)``), rolled out together as one batch in
/// the memory of `workspace`.
@differentiable(reverse,wrt: variables)
func summedLoss<Model: RolloutModel>(
  _ variables: TrainingVariables<Model>, windows: [TrainingWindow], indices: [Int],
  horizon: Int, kind: RolloutLossKind, learnedStarts: Bool,
  workspace: RolloutWorkspace = RolloutWorkspace()
) -> Double {
  let d = withoutDerivative(at: variables.model.startParameterDimension)
  let observations = withoutDerivative(at: indices.flatMap { windows[$0].observations })
  let naive = withoutDerivative(at: indices.flatMap { windows[$0].naiveInitialState })
  var starts = naive
  if learnedStarts {
    // The map from start parameters to states does not depend on the model's parameters.
    starts = withoutDerivative(at: variables.model).initialStates(
      startParameters: variables.initialStates.gather(blocks: indices, size: d), naive: naive)
  }
  let inputs = withoutDerivative(at: indices.flatMap { windows[$0].inputs })
  let prediction = variables.model.rollout(
    from: starts, inputs: inputs, steps: horizon, workspace: workspace)
  let loss = windowLoss(
    prediction, observations, logNoiseScale: variables.logNoiseScale, kind: kind)
  return Double(indices.count) * loss
}
