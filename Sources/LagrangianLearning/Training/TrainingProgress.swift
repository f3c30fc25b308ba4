/// The loss that picks the model a training run returns (see ``Trainer``).
public enum MonitoredLoss: String, Sendable, Codable {
  /// The loss over all training windows (no validation split).
  case training
  /// The loss over the held-out validation windows, rolled out from their own inferred starts.
  case validation
}

/// A progress report, sent to the caller's callback after every iteration.
public struct TrainingProgress: Sendable, CustomStringConvertible {
  /// The iteration just completed (1-based) and the planned total.
  public var iteration: Int
  public var totalIterations: Int
  /// The loss of this iteration's batch (the whole training loss with full batches).
  public var loss: Double
  /// The most recent validation loss (`nil` without a validation split).
  public var validationLoss: Double?
  /// Which loss picks the returned model.
  public var monitored: MonitoredLoss
  /// The lowest monitored loss so far and the number of updates after which it was reached.
  public var bestLoss: Double
  public var bestIteration: Int
  public var iterationsPerSecond: Double
  /// Estimated seconds to finish all iterations (an upper bound when the ``StoppingRule`` may
  /// end the run earlier).
  public var secondsRemaining: Double
  /// The cycle of a ``LearningRateSchedule/cosineRestarts`` run that the iteration belongs to
  /// (1-based), with the gain of the last cycle completed (``StoppingRule``).
  public var cycle: (number: Int, lastGain: Double?)?

  public init(
    iteration: Int, totalIterations: Int, loss: Double, validationLoss: Double?,
    monitored: MonitoredLoss, bestLoss: Double, bestIteration: Int, iterationsPerSecond: Double,
    secondsRemaining: Double, cycle: (number: Int, lastGain: Double?)? = nil
  ) {
    self.iteration = iteration
    self.totalIterations = totalIterations
    self.loss = loss
    self.validationLoss = validationLoss
    self.monitored = monitored
    self.bestLoss = bestLoss
    self.bestIteration = bestIteration
    self.iterationsPerSecond = iterationsPerSecond
    self.secondsRemaining = secondsRemaining
    self.cycle = cycle
  }

  /// One line for standard error, e.g.
  /// `iteration 120/3000  loss 0.4132  validation 0.4410  best validation 0.4398 (118)  38.2 it/s  ETA 75 s`
  /// or, on the restarts schedule,
  /// `iteration 2100/31500  cycle 3 (last gain 37.2)  loss -1.2132  best training -1.2049 (1500)  412.0 it/s  ETA ≤ 71 s`.
  public var description: String {
    /// `x` with `digits` decimals, or in the shortest round-trip form (`2.5e+20`) when
    /// `|x| · 10^digits ≥ 10¹⁵`, beyond which the scaled value is no longer an exact integer
    /// (2⁵³ ≈ 9·10¹⁵) and an integer conversion of it could overflow.
    func fixed(_ x: Double, _ digits: Int) -> String {
      var scale = 1.0
      for _ in 0..<digits { scale *= 10 }
      guard x.isFinite, abs(x) * scale < 1e15 else { return "\(x)" }
      let rounded = (abs(x) * scale).rounded()
      let whole = (rounded / scale).rounded(.towardZero)
      let fraction = rounded - whole * scale
      let digitsText = String(Int64(fraction))
      let padded = String(repeating: "0", count: max(0, digits - digitsText.count)) + digitsText
      return (x < 0 ? "-" : "") + String(Int64(whole)) + (digits > 0 ? "." + padded : "")
    }
    var line = "iteration \(iteration)/\(totalIterations)"
    if let cycle {
      line += "  cycle \(cycle.number)"
      if let gain = cycle.lastGain, gain.isFinite { line += " (last gain \(fixed(gain, 1)))" }
    }
    line += "  loss \(fixed(loss, 4))"
    if let validationLoss { line += "  validation \(fixed(validationLoss, 4))" }
    if bestLoss.isFinite {
      line += "  best \(monitored.rawValue) \(fixed(bestLoss, 4)) (\(bestIteration))"
    }
    line +=
      "  \(fixed(iterationsPerSecond, 1)) it/s  ETA \(cycle == nil ? "" : "≤ ")\(fixed(secondsRemaining, 0)) s"
    return line
  }
}

/// What the progress callback asks the trainer to do next.
public enum TrainingControl: Sendable {
  case proceed
  /// Stop now and return the best model so far (e.g. on Ctrl-C).
  case stop
}

/// Why training ended.
public enum TrainingStopReason: Equatable, Sendable, Codable, CustomStringConvertible {
  /// All iterations ran.
  case completed
  /// The monitored loss did not improve for `patience` validations.
  case earlyStopping(iteration: Int)
  /// The callback asked to stop.
  case stopped(iteration: Int)
  /// The loss or its gradient became NaN or infinite; a model from before is kept (``Trainer``:
  /// the best so far; ``PixelTrainer``: the one before the failing update).
  case nonFiniteLoss(iteration: Int, loss: Double)
  /// The ``StoppingRule`` stopped the run at the end of a cycle.
  case converged(iteration: Int, criterion: ConvergenceCriterion)

  /// Whether training stopped on a non-finite loss or gradient.
  public var isDivergence: Bool {
    if case .nonFiniteLoss = self { return true }
    return false
  }

  public var description: String {
    switch self {
    case .completed: return "completed"
    case .earlyStopping(let k): return "stopped early at iteration \(k): no validation improvement"
    case .stopped(let k): return "stopped at iteration \(k) on request"
    case .converged(let k, let criterion): return "converged at iteration \(k): \(criterion)"
    case .nonFiniteLoss(let k, let loss):
      return
        "training diverged at iteration \(k): loss or gradient is not finite (loss = \(loss)); kept a model from before it"
    }
  }
}

/// A summary of a training run, stored in model files.
public struct TrainingSummary: Equatable, Sendable, Codable {
  public var iterations: Int
  public var bestIteration: Int
  /// The best monitored loss (validation, or full training loss without a validation split).
  public var bestLoss: Double
  /// The last minibatch loss.
  public var finalLoss: Double
  public var trainingWindows: Int
  public var validationWindows: Int
  /// The learned noise scale σ (likelihood loss only).
  public var noiseScale: Double?
  /// The noise level of the training data estimated before training (``ObservationNoise``).
  public var dataNoiseLevel: Double? = nil
  /// The rollout residual the true model would leave on the training windows
  /// (``ObservationNoise/residualFloor(noise:entries:startParameters:)``).
  public var residualFloor: Double? = nil
  /// The root-mean-square rollout residual of the training windows at the end of each cycle of
  /// a ``LearningRateSchedule/cosineRestarts`` run.
  public var cycleResiduals: [Double]? = nil
  /// The gain of each cycle (``StoppingRule``): the decrease of the residual sum of squares in
  /// units of the data's noise variance.
  public var cycleGains: [Double]? = nil
  public var stopReason: TrainingStopReason
  public var configuration: TrainingConfiguration
  /// The iterations whose loss or gradient was not finite, whose last update ``Trainer`` undid
  /// before going on with half the learning rate (`nil`: none).
  public var stepBacks: Int? = nil

  /// Which loss picked the model.
  public var monitored: MonitoredLoss { validationWindows > 0 ? .validation : .training }

  /// A warning when the iteration budget ended a ``LearningRateSchedule/cosineRestarts`` run
  /// whose last cycle still lowered the residual sum of squares by more than its stopping rule's
  /// significance: more iterations would probably fit better; `nil` otherwise.
  public var budgetWarning: String? {
    guard stopReason == .completed, configuration.learningRateSchedule == .cosineRestarts,
      let gain = cycleGains?.last, let significance = configuration.stoppingRule.significance,
      gain >= significance
    else { return nil }
    return
      "the iteration budget (\(iterations)) ended the run before it converged: the last cycle still lowered the residual sum of squares by \(String(format: "%.3g", gain)) noise variances; more iterations may fit better"
  }

  /// A warning when the kept model comes from the first half of a run of at least 100
  /// iterations: the monitored loss rose after it (overfitting the validation windows, or a
  /// step size too large to settle), so the iterations after it were wasted; `nil` otherwise,
  /// and when the ``StoppingRule`` chose the model (its stop reason says why).
  public var earlyBestWarning: String? {
    if case .converged = stopReason { return nil }
    guard iterations >= 100, 2 * bestIteration < iterations else { return nil }
    return
      "the kept model is from iteration \(bestIteration) of \(iterations): the \(monitored.rawValue) loss did not improve after it"
  }
}

/// The outcome of ``Trainer/train(_:on:progress:)``.
public struct TrainingResult<Model: RolloutModel>: Sendable {
  /// The model with the best monitored loss.
  public var model: Model
  public var summary: TrainingSummary
  /// The inferred initial state of every training window at the best iteration (empty for
  /// ``InitialStateInference/firstObservation``).
  public var initialStates: [[Double]]
}
