import COpenBLAS
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
  let prediction = variables.model.rollout(from: starts, steps: horizon, workspace: workspace)
  let loss = windowLoss(
    prediction, observations, logNoiseScale: variables.logNoiseScale, kind: kind)
  return Double(indices.count) * loss
}

/// The working memory of one training run: a ``RolloutWorkspace`` per shard, created with the
/// run and reused by every iteration (each shard's rollouts run on one thread at a time), and
/// how the shards are scheduled. Used by one run, from the thread that calls the trainer.
final class TrainingWorkspace: @unchecked Sendable {
  /// One per shard, shard s at index s.
  let shards: [RolloutWorkspace]
  /// Whether the shards run one after the other instead of in parallel: once their rollouts
  /// have run matrix products through an OpenBLAS that uses several threads itself. Two shards
  /// in parallel, each calling a multithreaded OpenBLAS, oversubscribe the cores; measured on 2
  /// cores (VIN-VV, depth 2, width 300, 130 windows, H 20; Docs/Benchmarks.md) 24–29 s per 20
  /// iterations against 2.8–3.0 s with the shards in turn. The shards and their reduction order
  /// stay the same, so the numbers do not change.
  private(set) var shardsInTurn = false
  /// OpenBLAS's thread count (read, never set: it is the user's, `OPENBLAS_NUM_THREADS`).
  private let matrixProductThreads = Int(copenblas_thread_count())

  init(shards: Int) {
    self.shards = (0..<max(shards, 1)).map { _ in RolloutWorkspace() }
  }

  /// Updates ``shardsInTurn`` after an iteration.
  func noteIteration() {
    if matrixProductThreads > 1, shards.contains(where: \.ranMatrixProducts) {
      shardsInTurn = true
    }
  }
}
