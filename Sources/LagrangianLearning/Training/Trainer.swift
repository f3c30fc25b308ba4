import DiscreteMechanics
import Dispatch
import Foundation
import _Differentiation

/// Fits a ``RolloutModel`` to observed trajectories by minimising the multi-step rollout loss
/// over sliding windows (Saemundsson et al., *Variational Integrator Networks*, AISTATS 2020,
/// §4): every window of H+1 consecutive observations is predicted by an H-step rollout from
/// its initial state (naive or inferred, ``InitialStateInference``) and scored by
/// ``RolloutLossKind``. Adam, on all training windows at once by default or on minibatches;
/// each batch is split into shards (one per core by default) whose windows are rolled out
/// together; the shards' gradients are computed in parallel and summed in shard order, so a
/// run is bit-identical for a given seed whatever the scheduling. Inferred per-window initial
/// states have their own Adam (see
/// ``TrainingConfiguration/initialStateLearningRate(trainingWindows:)``), which with minibatches
/// moves only the starts of the windows in the batch.
///
/// The model returned is the one with the lowest *monitored* loss (``MonitoredLoss``):
/// - without a validation split, the training loss. With full batches it is the loss every
///   iteration computes anyway; with minibatches it is evaluated on all training windows every
///   ``TrainingConfiguration/validationInterval`` iterations.
/// - with a split, the validation loss, each validation window rolled out from an inferred
///   start of its own fitted by the current model with the model frozen
///   (``TrainingConfiguration/validationStartSteps``), so that the choice is not made on the
///   noise of the windows' first observations.
///
/// **A non-finite loss.** An update can take a model where its steps are not defined: an
/// implicit step (VIN-mq, VIN-SO(2), VIN-SO(3)) with no root in some window makes that window
/// and the loss NaN. The trainer then undoes the update (the variables and both Adams' states
/// before it), halves the learning rates and goes on; after ``stepRecoveryInterval`` finite
/// iterations in a row the factor doubles back, up to 1. After ``maximumStepBacks`` step-backs
/// with no successful update between them (a loss that is not finite even for steps 2⁻⁸ as
/// long), or at the first iteration, training stops with
/// ``TrainingStopReason/nonFiniteLoss(iteration:loss:)`` and keeps the best model so far.
/// ``TrainingSummary/stepBacks`` counts the step-backs.
///
/// The rollouts of each shard run in one ``RolloutWorkspace``, created with the run and reused
/// by every iteration, so an iteration allocates none of its per-step storage.
public struct Trainer: Sendable {
  public var configuration: TrainingConfiguration

  public init(configuration: TrainingConfiguration) {
    self.configuration = configuration
  }

  /// The step-backs without a successful update between them after which a non-finite loss
  /// stops training: the learning rate is then 2⁻⁸ of the schedule's.
  static let maximumStepBacks = 8
  /// The finite iterations in a row after which a halved learning rate doubles back (up to the
  /// schedule's).
  static let stepRecoveryInterval = 100

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
    let starts = modelCount..<(modelCount + startCount)
    var optimizer = Adam(parameterCount: flat.count - startCount, learningRate: config.learningRate)
    let startLearningRate = config.initialStateLearningRate(trainingWindows: training.count)
    var startOptimizer = BlockwiseAdam(
      blocks: learnedStarts ? training.count : 0, blockSize: model.startParameterDimension,
      learningRate: startLearningRate)
    let batchSize = config.effectiveBatchSize(trainingWindows: training.count)
    let fullBatch = batchSize == training.count
    let monitored: MonitoredLoss = validation.isEmpty ? .training : .validation
    var validationStarts = ValidationStarts(
      windows: validation, learned: learnedStarts, learningRate: startLearningRate)

    let workspace = TrainingWorkspace(shards: config.shards)
    // The data's noise level and the residual the true model would leave (StoppingRule).
    let noiseLevel = ObservationNoise.estimate(
      trajectories.map { trajectory in
        (0..<trajectory.count).map {
          trajectory.observation($0, withVelocities: model.observesVelocities)
        }
      })
    let residualFloor = noiseLevel.map {
      ObservationNoise.residualFloor(
        noise: $0, entries: (config.horizon + 1) * model.observationDimension,
        startParameters: model.startParameterDimension)
    }
    /// The root-mean-square residual of the rollouts of all training windows.
    func residual(_ variables: TrainingVariables<Model>) -> Double {
      let total = summedLoss(
        variables, windows: training, indices: Array(training.indices),
        horizon: config.horizon, kind: .meanSquaredError, learnedStarts: learnedStarts,
        workspace: workspace.shards[0])
      return (total / Double(training.count)).squareRoot()
    }
    let observedNumbers = trajectories.reduce(0) { $0 + $1.count * model.observationDimension }
    let restarts = config.learningRateSchedule == .cosineRestarts
    // r₀, r₁, …: the residual before training and at the end of each cycle (StoppingRule), and
    // the variables at the end of the cycle before the last.
    var cycleResiduals = restarts ? [residual(variables)] : []
    /// The gain of the last cycle completed (StoppingRule).
    var lastGain: Double? {
      guard let noiseLevel, cycleResiduals.count >= 2 else { return nil }
      return StoppingRule.gains(
        residuals: Array(cycleResiduals.suffix(2)), observations: observedNumbers,
        noise: noiseLevel
      ).last
    }
    /// The 1-based number of the cycle that holds iteration `t`.
    func cycleNumber(_ t: Int) -> Int {
      cycleResiduals.count
        - (config.learningRateSchedule.endsCycle(
          iteration: t, of: config.iterations, firstCycle: config.firstCycleLength) ? 1 : 0)
    }
    /// The monitored loss of `variables`, evaluated apart from the training step.
    func monitoredLoss(_ variables: TrainingVariables<Model>) -> Double {
      if validation.isEmpty {
        let total = summedLoss(
          variables, windows: training, indices: Array(training.indices),
          horizon: config.horizon, kind: config.loss, learnedStarts: learnedStarts,
          workspace: workspace.shards[0])
        return total / Double(training.count)
      }
      return validationStarts.loss(of: variables, trainer: self, workspace: workspace)
    }

    var best = variables
    var previousCycle = variables
    var bestLoss = Double.infinity
    var bestIteration = 0
    var lastMonitored: Double? = nil
    var validationsWithoutImprovement = 0
    var bestAtLastValidation = Double.infinity
    /// Keeps `candidate` if its monitored loss is the lowest so far.
    func consider(_ loss: Double, _ candidate: TrainingVariables<Model>, after updates: Int) {
      lastMonitored = loss
      if loss < bestLoss {
        bestLoss = loss
        best = candidate
        bestIteration = updates
      }
    }
    // Restarts without a split: the model kept is the one at the end of a cycle, chosen by the
    // stopping rule (the cycle's end, or the end of the cycle before).
    let keepsCycleEnds = restarts && validation.isEmpty
    var previousCycleLoss = (loss: Double.infinity, iteration: 0)
    /// Keeps the variables at the end of the cycle that ended after `updates` iterations.
    func keepCycleEnd(_ candidate: TrainingVariables<Model>, after updates: Int) {
      previousCycle = best
      previousCycleLoss = (bestLoss, bestIteration)
      best = candidate
      bestLoss = monitoredLoss(candidate)
      bestIteration = updates
      lastMonitored = bestLoss
    }
    // Full batch without a split or cycles: each iteration's loss is the monitored loss of the
    // variables before its update, so the monitor costs nothing.
    let monitorsIterationLoss = fullBatch && validation.isEmpty && !restarts
    if keepsCycleEnds {
      keepCycleEnd(variables, after: 0)
    } else if !monitorsIterationLoss {
      consider(monitoredLoss(variables), variables, after: 0)
    }

    var stopReason = TrainingStopReason.completed
    var finalLoss = Double.nan
    // Stepping back from a non-finite loss: the variables and optimiser states before the last
    // update, the factor on the learning rates, the step-backs in a row and in all.
    var beforeUpdate = (variables, flat, optimizer, startOptimizer)
    var stepFactor = 1.0
    var stepBacksInARow = 0
    var stepBacks = 0
    var steppedBack = false
    var finiteInARow = 0
    var epoch: [Int] = []
    let clock = ContinuousClock()
    let start = clock.now
    var iteration = 0

    while iteration < config.iterations {
      iteration += 1
      var batch: [Int] = []
      if fullBatch {
        batch = Array(training.indices)
      } else {
        while batch.count < batchSize {
          if epoch.isEmpty { epoch = generator.permutation(training.count) }
          batch.append(epoch.removeLast())
        }
      }
      let (loss, gradient) = shardedGradient(
        variables, windows: training, batch: batch, learnedStarts: learnedStarts,
        workspace: workspace)
      finalLoss = loss
      guard loss.isFinite, gradient.allSatisfy(\.isFinite) else {
        // The last update left the region where the model is defined (an implicit step with no
        // root in some window): undo it and go on with half the step, up to a limit.
        guard iteration > 1, stepBacksInARow < Self.maximumStepBacks else {
          stopReason = .nonFiniteLoss(iteration: iteration, loss: loss)
          break
        }
        (variables, flat, optimizer, startOptimizer) = beforeUpdate
        stepFactor *= 0.5
        stepBacksInARow += 1
        stepBacks += 1
        finiteInARow = 0
        steppedBack = true
        continue
      }
      // The loss right after a step-back is that of the restored variables: only a finite
      // loss after an update ends a run of step-backs.
      if !steppedBack { stepBacksInARow = 0 }
      steppedBack = false
      finiteInARow += 1
      if finiteInARow % Self.stepRecoveryInterval == 0 {
        stepFactor = min(1, 2 * stepFactor)
      }
      beforeUpdate = (variables, flat, optimizer, startOptimizer)
      if monitorsIterationLoss { consider(loss, variables, after: iteration - 1) }
      var step = gradient
      if let limit = config.gradientClipNorm {
        let norm = step.reduce(0) { $0 + $1 * $1 }.squareRoot()
        if norm > limit {
          for i in step.indices { step[i] *= limit / norm }
        }
      }
      let schedule = config.learningRateSchedule
      let factor = schedule.factor(
        iteration: iteration, of: config.iterations, firstCycle: config.firstCycleLength)
      optimizer.learningRate = config.learningRate * factor * stepFactor
      startOptimizer.learningRate = startLearningRate * factor * stepFactor
      var shared = Array(flat[..<modelCount]) + flat[starts.upperBound...]
      optimizer.update(
        &shared, gradient: Array(step[..<modelCount]) + step[starts.upperBound...])
      var startValues = Array(flat[starts])
      if learnedStarts {
        startOptimizer.update(&startValues, gradient: Array(step[starts]), batch: batch)
      }
      flat = Array(shared[..<modelCount]) + startValues + shared[modelCount...]
      variables.flat = flat

      var converged: ConvergenceCriterion? = nil
      let endsCycle =
        restarts
        && schedule.endsCycle(
          iteration: iteration, of: config.iterations, firstCycle: config.firstCycleLength)
      if endsCycle {
        cycleResiduals.append(residual(variables))
        if iteration < config.iterations {
          converged = config.stoppingRule.criterion(
            residuals: cycleResiduals, observations: observedNumbers, noise: noiseLevel,
            floor: residualFloor)
        }
      }
      if keepsCycleEnds, endsCycle {
        keepCycleEnd(variables, after: iteration)
        if converged?.keepsPreviousCycle == true {
          best = previousCycle
          (bestLoss, bestIteration) = previousCycleLoss
        }
      }
      let validates =
        iteration % config.validationInterval == 0 || iteration == config.iterations
        || converged != nil
      if validates, !keepsCycleEnds {
        if !monitorsIterationLoss {
          consider(monitoredLoss(variables), variables, after: iteration)
        }
        if bestLoss < bestAtLastValidation {
          bestAtLastValidation = bestLoss
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
          validationLoss: monitored == .validation ? lastMonitored : nil, monitored: monitored,
          bestLoss: bestLoss, bestIteration: bestIteration, iterationsPerSecond: rate,
          secondsRemaining: Double(config.iterations - iteration) / rate,
          cycle: restarts ? (cycleNumber(iteration), lastGain) : nil)
        if progress(report) == .stop {
          stopReason = .stopped(iteration: iteration)
          break
        }
      }
      if let converged {
        stopReason = .converged(iteration: iteration, criterion: converged)
        break
      }
      if let patience = config.patience, validationsWithoutImprovement >= patience {
        stopReason = .earlyStopping(iteration: iteration)
        break
      }
    }
    if monitorsIterationLoss, !stopReason.isDivergence {
      // The variables after the last update have not been scored yet.
      consider(monitoredLoss(variables), variables, after: iteration)
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
      dataNoiseLevel: noiseLevel, residualFloor: residualFloor,
      cycleResiduals: cycleResiduals.isEmpty ? nil : cycleResiduals,
      cycleGains: noiseLevel.flatMap {
        cycleResiduals.count < 2
          ? nil
          : StoppingRule.gains(
            residuals: cycleResiduals, observations: observedNumbers, noise: $0)
      },
      stopReason: stopReason, configuration: config, stepBacks: stepBacks > 0 ? stepBacks : nil)
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
