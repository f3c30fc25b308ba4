import VINKit

/// A pixel model's forecast scored against a true video: the forecast starts from the truth's
/// first frames and runs to its last, and each frame after the model's context (frames
/// `C … T − 1`, C = ``PixelModelSpecification/context``) is scored by
/// - its binary cross-entropy `Σ_pixels [softplus(ℓ) − y ℓ]` (nats, ℓ the decoder's logits), the
///   negative log-likelihood the model was trained on (``PixelModel/crossEntropies(positions:truth:)``);
/// - its squared error `Σ_pixels (p − y)²`, p = σ(ℓ) the forecast frame.
struct FrameEvaluation {
  /// The first frame scored, C.
  let firstFrame: Int
  /// The time `k h` of each scored frame (the frame index k for a model without a step size).
  let times: [Double]
  let crossEntropies: [Double]
  let squaredErrors: [Double]

  /// - Throws: ``LearningCommandError/frames(path:option:detail:)`` for a truth without a frame
  ///   after the context; the errors of ``SavedPixelModel/forecast(from:steps:)``.
  init(model saved: SavedPixelModel, truth: VideoFile) throws(LearningCommandError) {
    let context = saved.specification.context
    let count = truth.video.frameCount
    guard count > context else {
      throw .frames(
        path: truth.path, option: truth.option,
        detail:
          "it has \(count) frame\(count == 1 ? "" : "s"); the forecast is scored after the model's \(context) context frames, so it needs at least \(context + 1)"
      )
    }
    let forecast = try saved.forecast(from: truth, steps: count - 1)
    let entropies: [Double]
    do {
      entropies = try saved.model.crossEntropies(
        positions: forecast.positions, truth: truth.video)
    } catch {
      throw .forecast(error)
    }
    let area = truth.video.frameArea
    firstFrame = context
    times = (context..<count).map { Double($0) * (saved.stepSize ?? 1) }
    crossEntropies = Array(entropies[context...])
    squaredErrors = (context..<count).map { k in
      var sum = 0.0
      for (p, y) in zip(forecast.frames.frame(k), truth.video.frame(k)) { sum += (p - y) * (p - y) }
      return sum
    }
    lastFrame = count - 1
    pixels = area
  }

  /// The last frame scored, T − 1.
  let lastFrame: Int
  /// The pixels of a frame.
  let pixels: Int

  var meanCrossEntropy: Double { crossEntropies.reduce(0, +) / Double(crossEntropies.count) }
  var meanSquaredError: Double { squaredErrors.reduce(0, +) / Double(squaredErrors.count) }

  /// The summary as lines of text.
  func summary() -> String {
    let frames = "per frame over frames \(firstFrame)…\(lastFrame)"
    return """
      mean binary cross-entropy \(meanCrossEntropy) \(frames) (nats, summed over a frame's \(pixels) pixels)
      mean squared error \(meanSquaredError) \(frames) (summed over a frame's \(pixels) pixels)
      """
  }

  /// The summary as one JSON object on one line,
  /// `{"frames":N,"first_frame":C,"mean_binary_cross_entropy":…,"mean_squared_error":…}`.
  func jsonSummary() -> String {
    let fields = [
      ("frames", "\(squaredErrors.count)"), ("first_frame", "\(firstFrame)"),
      ("mean_binary_cross_entropy", CSVFormat.number(meanCrossEntropy)),
      ("mean_squared_error", CSVFormat.number(meanSquaredError)),
    ]
    return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
  }

  /// The per-frame CSV: `t,binary_cross_entropy,squared_error`.
  func csv() -> String {
    var text = "t,binary_cross_entropy,squared_error\n"
    for k in times.indices {
      text += CSVFormat.line([times[k], crossEntropies[k], squaredErrors[k]])
    }
    return text
  }
}

extension EvaluateCommand {
  /// `vin evaluate` of a pixel model: `--truth` is a video (`.npy`).
  func evaluateFrames(_ saved: SavedPixelModel, target: OutputTarget?) throws {
    let truthFile = try saved.video(truth, option: "--truth")
    let evaluation = try FrameEvaluation(model: saved, truth: truthFile)
    let text = summary == .json ? evaluation.jsonSummary() : evaluation.summary()
    guard let target else {
      try StandardOutput.write(text + "\n")
      return
    }
    try OutputFiles.deliver(evaluation.csv(), to: target)
    if target == .standardOutput {
      printToStandardError(text)
    } else {
      try StandardOutput.write(text + "\n")
    }
  }
}
