/// The validation windows with inferred starts of their own, fitted by the current model with
/// the model frozen (``TrainingConfiguration/validationStartSteps``), so that a validation loss
/// scores the model and not the noise of the windows' first observations.
///
/// The starts are warm started from one validation to the next, and they never update the
/// model: only their own entries of the gradient are used, by their own Adam at the training
/// starts' step size (not decayed by the schedule, so they keep following the model).
struct ValidationStarts {
  let windows: [TrainingWindow]
  /// Whether the model is trained with inferred starts; otherwise validation windows are rolled
  /// out from their first observations, as training windows are.
  let learned: Bool
  /// The start parameters of every window, back to back.
  private var parameters: ParameterVector
  private var optimizer: Adam

  init(windows: [TrainingWindow], learned: Bool, learningRate: Double) {
    self.windows = windows
    self.learned = learned
    parameters = ParameterVector(learned ? windows.flatMap(\.startParameters) : [])
    optimizer = Adam(parameterCount: parameters.count, learningRate: learningRate)
  }

  /// The mean loss of the validation windows under `variables`' model and noise scale, after
  /// `trainer.configuration.validationStartSteps` Adam steps on the windows' starts, rolled out
  /// in the run's `workspace`.
  mutating func loss<Model: RolloutModel>(
    of variables: TrainingVariables<Model>, trainer: Trainer, workspace: TrainingWorkspace
  ) -> Double {
    let configuration = trainer.configuration
    let indices = Array(windows.indices)
    var scored = variables
    scored.initialStates = parameters
    if learned {
      let first = variables.model.parameterCount
      let range = first..<(first + parameters.count)
      for _ in 0..<configuration.validationStartSteps {
        let gradient = trainer.shardedGradient(
          scored, windows: windows, batch: indices, learnedStarts: true, workspace: workspace
        ).gradient
        guard gradient.allSatisfy(\.isFinite) else { break }
        var values = scored.initialStates.scalars
        optimizer.update(&values, gradient: Array(gradient[range]))
        scored.initialStates = ParameterVector(values)
      }
      parameters = scored.initialStates
    }
    let total = summedLoss(
      scored, windows: windows, indices: indices, horizon: configuration.horizon,
      kind: configuration.loss, learnedStarts: learned, workspace: workspace.shards[0])
    return total / Double(windows.count)
  }
}
