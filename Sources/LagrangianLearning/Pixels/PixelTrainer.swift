import Foundation

/// The settings of a ``PixelTrainer`` run. The defaults are the reference's
/// (steindoringi/Variational_Integrator_Networks, config/base.gin and config/pixels.gin):
/// windows of horizon 10, Adam with step 3·10⁻⁴, batches of 200 windows; and, not the
/// reference's, the ``PixelSpectralStart`` of a VIN-SO(2)'s encoder.
public struct PixelTrainingConfiguration: Codable, Hashable, Sendable {
  /// H: each window holds H + 1 frames; the initial state is inferred from its first frames.
  public var horizon: Int
  /// The number of Adam updates.
  public var iterations: Int
  /// Adam's step size α.
  public var learningRate: Double
  /// The windows per update (all of them when there are fewer, or when `nil`).
  public var batchSize: Int?
  /// The seed of the batches, the sampling noise ε and nothing else (the model's initial
  /// weights come from its own generator).
  public var seed: UInt64
  /// The encoder's spectral start, for a model whose latent position is an angle (vin-so2;
  /// other models ignore it). `nil`: none, the encoder starts from its initial weights.
  public var spectralStart: PixelSpectralStart?

  public init(
    horizon: Int = 10, iterations: Int = 1000, learningRate: Double = 3e-4,
    batchSize: Int? = 200, seed: UInt64 = 0,
    spectralStart: PixelSpectralStart? = PixelSpectralStart()
  ) {
    self.horizon = horizon
    self.iterations = iterations
    self.learningRate = learningRate
    self.batchSize = batchSize
    self.seed = seed
    self.spectralStart = spectralStart
  }

  /// - Throws: ``LearningError/invalidConfiguration(name:value:requirement:)`` naming a
  ///   horizon, iteration count or batch size below 1, or a step size that is not positive and
  ///   finite; as ``PixelSpectralStart/validate()``.
  public func validate() throws(LearningError) {
    try spectralStart?.validate()
    try ModelLimits.check(horizon, in: 1...100_000, field: "horizon")
    try ModelLimits.check(iterations, in: 1...Int.max, field: "iterations")
    if let batchSize { try ModelLimits.check(batchSize, in: 1...Int.max, field: "batch size") }
    guard learningRate.isFinite, learningRate > 0 else {
      throw .invalidConfiguration(
        name: "learning rate", value: "\(learningRate)", requirement: "must be positive and finite")
    }
  }
}

/// What a ``PixelTrainer`` run did, stored in pixel model files.
public struct PixelTrainingSummary: Codable, Equatable, Sendable {
  /// The updates taken.
  public var iterations: Int
  /// The negative ELBO of the last batch whose loss was finite (of the failing one when the run
  /// stopped on a non-finite loss), and the lowest of any batch (per window).
  public var finalLoss: Double
  public var bestLoss: Double
  public var trainingWindows: Int
  public var stopReason: TrainingStopReason
  public var configuration: PixelTrainingConfiguration
  /// The iterations whose loss or gradient was not finite, whose last update the trainer undid
  /// before going on with half the learning rate (`nil`: none).
  public var stepBacks: Int? = nil
  /// The windows, summed over the iterations, whose sampled initial state the latent dynamics
  /// could not step and that were rolled out from their posterior mean instead
  /// (``PixelModel/negativeELBO(videos:windows:horizon:noise:workspace:)``; `nil`: none).
  public var meanStarts: Int? = nil
  /// The mean squared error of the encoder's last regression step on the spectral embedding
  /// (``PixelSpectralStart``; `nil`: no spectral start).
  public var spectralStartLoss: Double? = nil
  /// Why the configured spectral start was not made: the frames could not be embedded (`nil`:
  /// it was made, or none applied). ``configuration`` then holds no spectral start, as it
  /// holds none for a model whose latent position is not an angle.
  public var spectralStartSkipped: String? = nil
}

/// The outcome of ``PixelTrainer/train(_:on:progress:)``.
public struct PixelTrainingResult: Sendable {
  /// The model after the last update (when training diverged, the model before the update that
  /// made the loss non-finite).
  public var model: PixelModel
  public var summary: PixelTrainingSummary
}

/// Fits a ``PixelModel`` to videos by minimising its negative ELBO
/// (``PixelModel/negativeELBO(videos:windows:horizon:noise:workspace:)``) over the windows of
/// H + 1 consecutive frames, with ``Adam`` on minibatches drawn without replacement (a new
/// permutation every epoch) and a fresh reparameterisation noise ε for every window of every
/// batch, both from one ``SeededGenerator``: a run is determined by the model and the seed.
///
/// The iteration's memory lives in one ``PixelWorkspace`` for the run; the progress callback can
/// stop the run.
///
/// **A non-finite loss.** A VIN-SO(2)'s step has no solution when a window's latent angle would
/// turn by more than a quarter turn in one step (`|sin Δ| > 1`, ``VINSO2``). An unlucky sample
/// of a window's initial state can take it there; that window is rolled out from its posterior
/// mean instead (``PixelTrainingSummary/meanStarts``). An update can take the model there for
/// the mean too, and the loss is then not finite. As ``Trainer`` does, the
/// trainer then undoes the last update (if any) and retakes it at half the learning rate, with a
/// fresh batch and fresh noise, halving again while the loss after it is not finite; the update
/// after a successful one is a full one again. After 8 step-backs with no successful update
/// between them the run stops with ``TrainingStopReason/nonFiniteLoss(iteration:loss:)``,
/// keeping the model before the failing update. ``PixelTrainingSummary/stepBacks`` counts the
/// step-backs.
///
/// With a ``PixelTrainingConfiguration/spectralStart`` (the default) and a model whose latent
/// position is an angle, the encoder is first regressed on the frames' spectral embedding,
/// and the first ``PixelSpectralStart/heldIterations`` updates leave it unchanged. The
/// encoder's parameters have an Adam of their own, whose moments follow their gradient while
/// they are held, so that their first steps when released are sized by it.
public struct PixelTrainer: Sendable {
  public var configuration: PixelTrainingConfiguration

  public init(configuration: PixelTrainingConfiguration) {
    self.configuration = configuration
  }

  /// The windows of `videos` for `model`: every start `0 … T − H − 1` of every video.
  /// - Throws: ``LearningError/invalidConfiguration(name:value:requirement:)`` for no videos, a
  ///   frame size that is not the model's (naming the video) or a horizon too short for the
  ///   model's context; ``LearningError/notEnoughData(detail:)`` for a video with fewer than
  ///   H + 1 frames.
  public func windows(of videos: [PixelVideo], for model: PixelModel) throws(LearningError)
    -> [PixelWindow]
  {
    let horizon = configuration.horizon
    guard !videos.isEmpty else {
      throw .invalidConfiguration(
        name: "videos", value: "none", requirement: "must be at least one")
    }
    let specification = model.specification
    if specification.start == .velocity, horizon + 1 < specification.context {
      throw .invalidConfiguration(
        name: "horizon", value: "\(horizon)",
        requirement:
          "must be at least \(specification.context - 1): a window must hold the model's \(specification.context) context frames"
      )
    }
    var windows: [PixelWindow] = []
    for (v, video) in videos.enumerated() {
      guard video.size == specification.frameSize else {
        throw .invalidConfiguration(
          name: "frame size of video \(v)", value: "\(video.size)×\(video.size)",
          requirement:
            "must be the model's \(specification.frameSize)×\(specification.frameSize)")
      }
      guard video.frameCount >= horizon + 1 else {
        throw .notEnoughData(
          detail:
            "video \(v) has \(video.frameCount) frames, fewer than a window of horizon \(horizon) (\(horizon + 1))"
        )
      }
      for start in 0...(video.frameCount - horizon - 1) {
        windows.append(PixelWindow(video: v, start: start))
      }
    }
    return windows
  }

  /// Trains `model` on `videos`.
  /// - Throws: as ``PixelTrainingConfiguration/validate()`` and ``windows(of:for:)``;
  ///   ``LearningError/invalidConfiguration(name:value:requirement:)`` when LAPACK fails on
  ///   the spectral start's eigenproblem.
  public func train(
    _ model: PixelModel, on videos: [PixelVideo],
    progress: ((TrainingProgress) -> TrainingControl)? = nil
  ) throws(LearningError) -> PixelTrainingResult {
    let config = configuration
    try config.validate()
    let windows = try windows(of: videos, for: model)
    let batchSize = min(config.batchSize ?? windows.count, windows.count)
    var generator = SeededGenerator(seed: config.seed)
    var model = model
    // The summary's configuration holds the spectral start only if it was made.
    var ran = config
    var (spectralStartLoss, spectralStartSkipped): (Double?, String?) = (nil, nil)
    if let start = config.spectralStart, model.specification.onCircle {
      do {
        spectralStartLoss = try model.fitEncoderToSpectralEmbedding(
          of: videos, start: start, learningRate: config.learningRate
        ).last
      } catch .notEnoughData(let detail) {
        spectralStartSkipped = detail
      }
    }
    if spectralStartLoss == nil { ran.spectralStart = nil }
    let heldIterations = ran.spectralStart?.heldIterations ?? 0
    let encoderParameterCount = model.encoderParameters.count
    var parameters = model.flatParameters
    // The encoder has an optimiser of its own, whose moments follow the encoder's gradient while
    // it is held (``Adam/observe(gradient:offset:)``).
    var optimizers = (
      encoder: Adam(parameterCount: encoderParameterCount, learningRate: config.learningRate),
      rest: Adam(
        parameterCount: parameters.count - encoderParameterCount,
        learningRate: config.learningRate)
    )
    let workspace = PixelWorkspace()
    var gradient = [Double](repeating: 0, count: parameters.count)
    var noise = [Double](
      repeating: 0, count: batchSize * model.noiseCount(horizon: config.horizon))
    var epoch: [Int] = []
    var batch: [PixelWindow] = []
    batch.reserveCapacity(batchSize)
    var (finalLoss, bestLoss, bestIteration) = (Double.nan, Double.infinity, 0)
    var stopReason = TrainingStopReason.completed
    // Stepping back from a non-finite loss, as `Trainer` does: the parameters and the optimiser
    // before the last update, the factor on the learning rate, the step-backs in a row and in
    // all, whether the last iteration stepped back.
    var beforeUpdate = (parameters, optimizers)
    var stepFactor = 1.0
    var (stepBacksInARow, stepBacks, steppedBack) = (0, 0, false)
    var meanStarts = 0
    var iteration = 0
    let clock = ContinuousClock()
    let start = clock.now
    while iteration < config.iterations {
      iteration += 1
      batch.removeAll(keepingCapacity: true)
      while batch.count < batchSize {
        if epoch.isEmpty { epoch = generator.permutation(windows.count) }
        batch.append(windows[epoch.removeLast()])
      }
      for i in noise.indices { noise[i] = generator.nextStandardNormal() }
      let (loss, windowsFromMean) = model.lossAndGradient(
        videos: videos, windows: batch, horizon: config.horizon, noise: noise,
        workspace: workspace, into: &gradient)
      meanStarts += windowsFromMean
      guard loss.isFinite, gradient.allSatisfy(\.isFinite) else {
        (parameters, optimizers) = beforeUpdate
        model.flatParameters = parameters
        guard stepBacksInARow < Trainer.maximumStepBacks else {
          finalLoss = loss
          stopReason = .nonFiniteLoss(iteration: iteration, loss: loss)
          break
        }
        stepFactor *= 0.5
        stepBacksInARow += 1
        stepBacks += 1
        steppedBack = true
        continue
      }
      finalLoss = loss
      // The loss right after a step-back is the restored model's: only a finite loss after an
      // update ends a run of step-backs, and the next update is a full one.
      if !steppedBack {
        stepBacksInARow = 0
        stepFactor = 1
      }
      steppedBack = false
      if loss < bestLoss { (bestLoss, bestIteration) = (loss, iteration) }
      beforeUpdate = (parameters, optimizers)
      let rate = config.learningRate * stepFactor
      optimizers.rest.learningRate = rate
      optimizers.rest.update(&parameters, gradient: gradient, offset: encoderParameterCount)
      if iteration > heldIterations {
        optimizers.encoder.learningRate = rate
        optimizers.encoder.update(&parameters, gradient: gradient, offset: 0)
      } else {
        optimizers.encoder.observe(gradient: gradient, offset: 0)
      }
      model.flatParameters = parameters
      if let progress {
        let elapsed = (clock.now - start).components
        let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18
        let rate = Double(iteration) / max(seconds, 1e-9)
        let report = TrainingProgress(
          iteration: iteration, totalIterations: config.iterations, loss: loss,
          validationLoss: nil, monitored: .training, bestLoss: bestLoss,
          bestIteration: bestIteration, iterationsPerSecond: rate,
          secondsRemaining: Double(config.iterations - iteration) / rate)
        if progress(report) == .stop {
          stopReason = .stopped(iteration: iteration)
          break
        }
      }
    }
    return PixelTrainingResult(
      model: model,
      summary: PixelTrainingSummary(
        iterations: iteration, finalLoss: finalLoss, bestLoss: bestLoss,
        trainingWindows: windows.count, stopReason: stopReason, configuration: ran,
        stepBacks: stepBacks > 0 ? stepBacks : nil, meanStarts: meanStarts > 0 ? meanStarts : nil,
        spectralStartLoss: spectralStartLoss, spectralStartSkipped: spectralStartSkipped))
  }
}
