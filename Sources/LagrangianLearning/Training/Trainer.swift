import DiscreteMechanics
import Dispatch
import Foundation
import _Differentiation

/// Fits a ``RolloutModel`` to observed trajectories by minimising the multi-step rollout loss
/// over sliding windows (Saemundsson et al., *Variational Integrator Networks*, AISTATS 2020,
/// §4): every window of H+1 consecutive observations is predicted by an H-step rollout from
/// its initial state (naive or inferred, ``InitialStateInference``) and scored by
/// ``RolloutLossKind``. Adam on minibatches; each minibatch is split into shards (one per core
/// by default) whose windows are rolled out together as one batch; the shards' gradients are
/// computed in parallel and summed in shard order, so a run is bit-identical for a given seed
/// whatever the scheduling. Inferred per-window initial states have their own Adam (see
/// ``TrainingConfiguration/initialStateLearningRate(trainingWindows:)``).
///
/// Validation windows (a seeded random subset of all windows) are always rolled out from
/// their first observations, as a forecast from measured data would be; the model with the
/// lowest validation loss (training loss without a split) is returned.
///
/// The rollouts of each shard run in one ``RolloutWorkspace``, created with the run and reused
/// by every iteration, so an iteration allocates none of its per-step storage.
public struct Trainer: Sendable {
  public var configuration: TrainingConfiguration

  public init(configuration: TrainingConfiguration) {
    self.configuration = configuration
  }

  /// Trains `model` on `trajectories`.
  /// - Throws: ``LearningError`` for a bad configuration or data that do not fit the model
  ///   (dimension, missing velocities, sampling step, too few samples). A diverging loss is
  ///   not thrown: training stops and the result keeps the best model with
  ///   ``TrainingStopReason/nonFiniteLoss(iteration:loss:)``.
  public func train<Model: RolloutModel>(
    _ model: Model, on trajectories: [ObservedTrajectory],
    progress: ((TrainingProgress) -> TrainingControl)? = nil
  ) throws(LearningError) -> TrainingResult<Model> {
    let config = configuration
    try config.validate()
    let allWindows = try TrainingWindow.all(of: trajectories, for: model, horizon: config.horizon)
    var generator = SeededGenerator(seed: config.seed)
    let order = generator.permutation(allWindows.count)
    let validationCount = min(
      Int((config.validationFraction * Double(allWindows.count)).rounded(.up)),
      allWindows.count - 1)
    let validation = order[..<validationCount].sorted().map { allWindows[$0] }
    let training = order[validationCount...].sorted().map { allWindows[$0] }

    let learnedStarts = config.initialStates == .learned
    var variables = TrainingVariables(
      model: model,
      initialStates: ParameterVector(learnedStarts ? training.flatMap(\.startParameters) : []),
      logNoiseScale: log(config.initialNoiseScale))
    var flat = variables.flat
    // One Adam for the model and σ, one for the starts (their own step size).
    let modelCount = model.parameterCount
    let startCount = variables.initialStates.count
    var optimizer = Adam(parameterCount: flat.count - startCount, learningRate: config.learningRate)
    let startLearningRate = config.initialStateLearningRate(trainingWindows: training.count)
    var startOptimizer = Adam(parameterCount: startCount, learningRate: startLearningRate)

    let workspace = TrainingWorkspace(shards: config.shards)
    func monitoredLoss(_ variables: TrainingVariables<Model>) -> Double {
      let windows = validation.isEmpty ? training : validation
      let useLearned = validation.isEmpty && learnedStarts
      let total = summedLoss(
        variables, windows: windows, indices: Array(windows.indices), horizon: config.horizon,
        kind: config.loss, learnedStarts: useLearned, workspace: workspace.shards[0])
      return total / Double(windows.count)
    }

    var best = variables
    var bestLoss = monitoredLoss(variables)
    var bestIteration = 0
    var lastValidation = bestLoss
    var validationsWithoutImprovement = 0
    var stopReason = TrainingStopReason.completed
    var finalLoss = Double.nan
    var epoch: [Int] = []
    let batchSize = min(config.batchSize, training.count)
    let clock = ContinuousClock()
    let start = clock.now
    var iteration = 0

    while iteration < config.iterations {
      iteration += 1
      var batch: [Int] = []
      while batch.count < batchSize {
        if epoch.isEmpty { epoch = generator.permutation(training.count) }
        batch.append(epoch.removeLast())
      }
      let (loss, gradient) = shardedGradient(
        variables, windows: training, batch: batch, learnedStarts: learnedStarts,
        workspace: workspace)
      finalLoss = loss
      guard loss.isFinite, gradient.allSatisfy(\.isFinite) else {
        stopReason = .nonFiniteLoss(iteration: iteration, loss: loss)
        break
      }
      var step = gradient
      if let limit = config.gradientClipNorm {
        let norm = step.reduce(0) { $0 + $1 * $1 }.squareRoot()
        if norm > limit {
          for i in step.indices { step[i] *= limit / norm }
        }
      }
      let factor = config.learningRateSchedule.factor(iteration: iteration, of: config.iterations)
      optimizer.learningRate = config.learningRate * factor
      startOptimizer.learningRate = startLearningRate * factor
      let starts = modelCount..<(modelCount + startCount)
      var shared = Array(flat[..<modelCount]) + flat[starts.upperBound...]
      optimizer.update(
        &shared, gradient: Array(step[..<modelCount]) + step[starts.upperBound...])
      var startValues = Array(flat[starts])
      startOptimizer.update(&startValues, gradient: Array(step[starts]))
      flat = Array(shared[..<modelCount]) + startValues + shared[modelCount...]
      variables.flat = flat

      if iteration % config.validationInterval == 0 || iteration == config.iterations {
        lastValidation = monitoredLoss(variables)
        if lastValidation < bestLoss {
          bestLoss = lastValidation
          best = variables
          bestIteration = iteration
          validationsWithoutImprovement = 0
        } else {
          validationsWithoutImprovement += 1
        }
      }
      if let progress {
        let elapsed = (clock.now - start).components
        let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18
        let rate = Double(iteration) / max(seconds, 1e-9)
        let report = TrainingProgress(
          iteration: iteration, totalIterations: config.iterations, loss: loss,
          validationLoss: lastValidation, iterationsPerSecond: rate,
          secondsRemaining: Double(config.iterations - iteration) / rate)
        if progress(report) == .stop {
          stopReason = .stopped(iteration: iteration)
          break
        }
      }
      if let patience = config.patience, validationsWithoutImprovement >= patience {
        stopReason = .earlyStopping(iteration: iteration)
        break
      }
    }

    let d = model.startParameterDimension
    let states =
      learnedStarts
      ? (0..<training.count).map {
        best.model.initialStates(
          startParameters: Array(best.initialStates.scalars[($0 * d)..<(($0 + 1) * d)]),
          naive: training[$0].naiveInitialState)
      }
      : []
    let summary = TrainingSummary(
      iterations: iteration, bestIteration: bestIteration, bestLoss: bestLoss,
      finalLoss: finalLoss, trainingWindows: training.count, validationWindows: validation.count,
      noiseScale: config.loss == .gaussianNegativeLogLikelihood ? exp(best.logNoiseScale) : nil,
      stopReason: stopReason, configuration: config)
    return TrainingResult(model: best.model, summary: summary, initialStates: states)
  }

  /// The mean loss over `batch` and its gradient (flat, in ``TrainingVariables`` order),
  /// computed in `shards` contiguous parts in parallel (in turn once OpenBLAS's own threads
  /// would contend with them, ``TrainingWorkspace/shardsInTurn``) and reduced in shard order;
  /// shard s rolls out in `workspace.shards[s]` (a run passes the same workspace to every
  /// iteration; without one, each call makes its own).
  func shardedGradient<Model: RolloutModel>(
    _ variables: TrainingVariables<Model>, windows: [TrainingWindow], batch: [Int],
    learnedStarts: Bool, workspace: TrainingWorkspace? = nil
  ) -> (loss: Double, gradient: [Double]) {
    let config = configuration
    let shardCount = min(config.shards, batch.count)
    let workspace =
      workspace.flatMap { $0.shards.count >= shardCount ? $0 : nil }
      ?? TrainingWorkspace(shards: shardCount)
    let parts = (0..<shardCount).map { s in
      Array(batch[(s * batch.count / shardCount)..<((s + 1) * batch.count / shardCount)])
    }
    let results = ShardResults(count: shardCount)
    @Sendable func shard(_ s: Int) {
      let (value, tangent) = valueWithGradient(at: variables) { variables in
        summedLoss(
          variables, windows: windows, indices: parts[s], horizon: config.horizon,
          kind: config.loss, learnedStarts: learnedStarts, workspace: workspace.shards[s])
      }
      results.store(s, loss: value, gradient: variables.flatten(tangent))
    }
    if workspace.shardsInTurn {
      for s in 0..<shardCount { shard(s) }
    } else {
      DispatchQueue.concurrentPerform(iterations: shardCount, execute: shard)
    }
    workspace.noteIteration()
    var loss = 0.0
    var gradient = Array(repeating: 0.0, count: variables.flat.count)
    for s in 0..<shardCount {
      let (value, part) = results.load(s)
      loss += value
      for i in gradient.indices { gradient[i] += part[i] }
    }
    let scale = 1 / Double(batch.count)
    for i in gradient.indices { gradient[i] *= scale }
    return (loss * scale, gradient)
  }
}

/// Per-shard results written by parallel workers, each to its own slot.
private final class ShardResults: @unchecked Sendable {
  private var losses: [Double]
  private var gradients: [[Double]]
  private let lock = NSLock()

  init(count: Int) {
    losses = Array(repeating: .nan, count: count)
    gradients = Array(repeating: [], count: count)
  }

  func store(_ shard: Int, loss: Double, gradient: [Double]) {
    lock.lock()
    defer { lock.unlock() }
    losses[shard] = loss
    gradients[shard] = gradient
  }

  func load(_ shard: Int) -> (Double, [Double]) {
    lock.lock()
    defer { lock.unlock() }
    return (losses[shard], gradients[shard])
  }
}
