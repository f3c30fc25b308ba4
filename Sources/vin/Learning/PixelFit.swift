import ArgumentParser
import Foundation
import VINKit

/// The settings of `vin fit --frames` that differ from the library's reference setting
/// (``PixelModelSpecification`` and ``PixelTrainingConfiguration`` defaults, the paper's):
/// narrower encoder and decoder and a larger step, so that a fit to three videos of 50 frames of
/// 28 × 28 pixels takes a few minutes on two cores; 4000 iterations, where the VIN-SO(2)-VAE's
/// short-range forecast error is lower than at 2000 on every seed measured (Docs/Learning.md,
/// "Learning from pixels"). `--encoder-width 1000 --decoder-width 1000 --learning-rate 3e-4` is
/// the reference's setting (Docs/CLI.md gives the times).
enum PixelFitDefaults {
  static let encoderWidth = 200
  static let decoderWidth = 200
  static let context = PixelModelSpecification(dynamics: nil).context
  static let iterations = 4000
  static let learningRate = 1e-3
}

extension FitCommand {
  /// `vin fit --frames`: a pixel model (``PixelModel``) trained on videos by ``PixelTrainer``,
  /// with progress, `--log`, Ctrl-C and a non-finite loss handled as for trajectories.
  func fitFrames() throws {
    try refuseTrajectoryOptions()
    let specification = try pixelSpecification(frameSize: 1)
    let configuration = try pixelTrainingConfiguration(for: specification)
    let target = try OutputTarget(output)
    let logTarget = try log.map { path throws(CommandError) in try OutputTarget(path) }
    var files: [VideoFile] = []
    for path in frameFiles {
      let expected = files.first.map {
        (size: $0.frames.size, because: "the frame size of '\($0.path)'")
      }
      let file = try VideoFile(path: path, option: "--frames", expectedSize: expected)
      guard file.video.frameCount >= configuration.horizon + 1 else {
        throw LearningCommandError.frames(
          path: path, option: "--frames",
          detail:
            "it has \(file.video.frameCount) frame\(file.video.frameCount == 1 ? "" : "s"), fewer than a training window of --horizon \(configuration.horizon) (\(configuration.horizon + 1))"
        )
      }
      files.append(file)
    }
    var sized = specification
    sized.frameSize = files[0].frames.size
    var generator = SeededGenerator(seed: seed)
    let model: PixelModel
    do {
      model = try PixelModel(specification: sized, generator: &generator)
    } catch {
      throw Self.pixelOptionError(error)
    }
    InterruptFlag.install()
    var line = ProgressLine()
    var logLines = ["iteration,seconds,loss,monitored_loss"]
    let result: PixelTrainingResult
    do {
      result = try PixelTrainer(configuration: configuration).train(
        model, on: files.map(\.video)
      ) { progress in
        line.show(progress)
        if logTarget != nil {
          let seconds = Double(progress.iteration) / progress.iterationsPerSecond
          logLines.append("\(progress.iteration),\(seconds),\(progress.loss),\(progress.loss)")
        }
        return InterruptFlag.isSet ? .stop : .proceed
      }
    } catch {
      line.finish()
      throw Self.pixelOptionError(error)
    }
    line.finish()
    let json: Data
    do {
      json = try PixelModelFile(model: result.model, training: result.summary).encoded()
    } catch {
      throw LearningCommandError.training(error)
    }
    try Self.save(json, to: target, kind: fitKind.name)
    if let logTarget {
      try OutputFiles.deliver(logLines.joined(separator: "\n") + "\n", to: logTarget)
    }
    let summary = result.summary
    let destination = target.name
    if case .nonFiniteLoss(let k, let loss) = summary.stopReason {
      printToStandardError(
        "warning: training diverged at iteration \(k): the negative ELBO or its gradient is not finite (\(loss)); wrote the \(fitKind.name) pixel model of iteration \(k - 1), before the failing update, to \(destination)"
      )
      throw ExitCode(2)
    }
    if let meanStarts = summary.meanStarts {
      printToStandardError(
        "note: \(meanStarts) window sample\(meanStarts == 1 ? "" : "s") of the latent start could not be stepped by the dynamics and \(meanStarts == 1 ? "was" : "were") rolled out from the posterior mean instead"
      )
    }
    if let reason = summary.spectralStartSkipped {
      printToStandardError(
        "note: no spectral start (the encoder started from its initial weights): \(reason)")
    }
    if let loss = summary.spectralStartLoss, let start = summary.configuration.spectralStart {
      printToStandardError(
        "note: the encoder started on the frames' spectral embedding (mean squared error \(loss) after \(start.iterations) steps) and was held for the first \(start.heldIterations) iterations"
      )
    }
    printToStandardError(
      "\(fitKind.name) pixel model: \(summary.stopReason) after \(summary.iterations) iterations, negative ELBO \(summary.finalLoss) per window (best \(summary.bestLoss)) on \(summary.trainingWindows) windows; model written to \(destination)"
    )
  }

  /// Refuses, in one line, the options of trajectory fits that pixel models do not take (and,
  /// for a plain VAE, the options of the latent dynamics).
  func refuseTrajectoryOptions() throws(LearningCommandError) {
    let trajectoryOptions = Self.given([
      ("--inertia-scale", inertiaScale != nil), ("--angles", angles), ("--inputs", inputs != nil),
      ("--dissipation", dissipation != nil), ("--input-matrix", inputMatrix != nil),
      ("--observe", observe != nil), ("--schedule", schedule != nil),
      ("--first-cycle", firstCycle != nil), ("--noise-level-factor", noiseLevelFactor != nil),
      ("--significance", significance != nil),
      ("--validation-fraction", validationFraction != nil), ("--loss", loss != nil),
      ("--initial-state", initialState != nil),
      ("--initial-state-learning-rate", initialStateLearningRate != nil),
      ("--patience", patience != nil),
    ])
    if !trajectoryOptions.isEmpty {
      throw .inapplicableOptions(
        trajectoryOptions, kind: "pixel models (--frames)",
        hint: "they are options of fits to trajectories (--data)")
    }
    switch fitKind {
    case .vae:
      // Parsed defaults are indistinguishable from given values for these three; the
      // remaining dynamics options are optionals.
      let dynamicsOptions = Self.given([
        ("--dt", dt != nil), ("--potential", potential != nil), ("--mass", mass != nil),
      ])
      if !dynamicsOptions.isEmpty {
        throw .inapplicableOptions(
          dynamicsOptions, kind: "a vae",
          hint: "it has no latent dynamics (fit vin-so2, vin-vv, vin-sv or resnet for them)")
      }
    case .dynamics(let kind):
      guard PixelModelSpecification.dynamicsKinds.contains(kind) else {
        throw .invalidOption(
          option: "--model", value: kind.rawValue,
          requirement:
            "is not a pixel model; with --frames --model takes \(FitModelKind.pixelNames.joined(separator: ", "))"
        )
      }
      guard let dt else {
        throw .invalidOption(
          option: "--dt", value: "missing",
          requirement: "is needed with --frames: the time step h between frames")
      }
      guard dt.isFinite, dt > 0 else {
        throw .invalidOption(
          option: "--dt", value: "\(dt)", requirement: "the step size must be positive and finite")
      }
    }
  }

  /// The pixel model the options describe, for frames of `frameSize` pixels.
  func pixelSpecification(frameSize: Int) throws(LearningCommandError) -> PixelModelSpecification {
    let d = latentDimension ?? 1
    var dynamics: ModelSpecification?
    if case .dynamics(let kind) = fitKind {
      let options = FitModelOptions(
        width: width, depth: depth, activation: activation, potential: potential,
        mass: mass ?? .constant, angles: kind == .vinSO2)
      do {
        dynamics = try options.specification(
          kind: kind, layout: .coordinates, dimension: d, stepSize: dt ?? 1)
      } catch {
        throw Self.pixelOptionError(error)
      }
    }
    let specification = PixelModelSpecification(
      dynamics: dynamics, frameSize: frameSize, latentDimension: d,
      context: context ?? PixelFitDefaults.context,
      encoderWidth: encoderWidth ?? PixelFitDefaults.encoderWidth,
      decoderWidth: decoderWidth ?? PixelFitDefaults.decoderWidth)
    do {
      try specification.validate()
    } catch {
      throw Self.pixelOptionError(error)
    }
    return specification
  }

  /// The pixel training settings from the options, checked; the spectral-start flags only for a
  /// model whose latent position is an angle.
  func pixelTrainingConfiguration(for specification: PixelModelSpecification)
    throws(LearningCommandError) -> PixelTrainingConfiguration
  {
    if let flag = spectralStartFlag, !specification.onCircle {
      throw .invalidOption(
        option: flag, value: "a \(specification.kindName) model",
        requirement: "applies only to models whose latent position is an angle (vin-so2)")
    }
    let defaults = PixelTrainingConfiguration()
    let configuration = PixelTrainingConfiguration(
      horizon: horizon ?? defaults.horizon, iterations: iterations ?? PixelFitDefaults.iterations,
      learningRate: learningRate ?? PixelFitDefaults.learningRate,
      batchSize: batchSize ?? defaults.batchSize, seed: seed,
      spectralStart: spectralStart == false ? nil : defaults.spectralStart)
    do {
      try configuration.validate()
    } catch {
      throw Self.pixelOptionError(error)
    }
    return configuration
  }

  /// The option of each setting that the pixel model's checks name.
  static let pixelOptions = [
    "horizon": "--horizon", "iterations": "--iterations", "batch size": "--batch-size",
    "learning rate": "--learning-rate", "latentDimension": "--latent-dimension",
    "dimension": "--latent-dimension", "context": "--context",
    "encoderWidth": "--encoder-width", "decoderWidth": "--decoder-width", "width": "--width",
    "depth": "--depth", "stepSize": "--dt",
  ]

  /// `error` as an option error when it names a setting of an option, else a training error.
  static func pixelOptionError(_ error: LearningError) -> LearningCommandError {
    if case .invalidConfiguration(let name, let value, let requirement) = error,
      let option = pixelOptions[name]
    {
      return .invalidOption(option: option, value: value, requirement: requirement)
    }
    return .training(error)
  }
}
