import FileOutput
import Frames
import VINKit

extension ForecastCommand {
  /// `vin forecast --context FILE.npy`: a pixel model's forecast of `--steps` frames from the
  /// first frames of the context video, written as a NumPy array, and optionally as a GIF of
  /// the truth beside the forecast and a PNG strip. Every output is checked before the model is
  /// read and all are committed together at the end.
  func forecastFrames(context contextPath: String) throws {
    let trajectoryOptions = FitCommand.given([
      ("--q0", position != nil), ("--v0", velocity != nil), ("--truth", truth != nil),
      ("--control", control != nil), ("--plot", output.plot != nil),
    ])
    if !trajectoryOptions.isEmpty {
      throw LearningCommandError.inapplicableOptions(
        trajectoryOptions, kind: "a pixel forecast (--context)",
        hint:
          "its start is inferred from the context frames and it writes frames (--output, --gif, --png)"
      )
    }
    guard let outputPath = output.output, outputPath != "-" else {
      throw LearningCommandError.invalidOption(
        option: "--output", value: output.output == nil ? "missing" : "'-'",
        requirement: "a pixel forecast is written as a NumPy array: name a .npy file")
    }
    var named: [(option: String, destination: AtomicFile.Destination)] = [
      (
        "--output",
        try FrameOutputs.destination(
          outputPath, option: "--output", format: "a NumPy array", suffix: ".npy")
      )
    ]
    if let gif {
      named.append(
        (
          "--gif",
          try FrameOutputs.destination(
            gif, option: "--gif", format: "an animated GIF", suffix: ".gif")
        ))
    }
    if let png {
      named.append(
        (
          "--png",
          try FrameOutputs.destination(png, option: "--png", format: "a PNG image", suffix: ".png")
        ))
    }
    try FrameOutputs.checkDistinct(named)
    for (option, destination) in named {
      for (input, path) in [("--model", model), ("--context", contextPath)]
      where OutputTarget.file(destination).replaces(path) {
        throw LearningCommandError.invalidOption(
          option: option, value: "'\(path)'",
          requirement: "names the \(input) file, which writing it would replace")
      }
    }
    let saved = try LoadedModel(path: model).pixels(for: "`vin forecast --context`")
    let size = saved.specification.frameSize
    let gifScale = FrameOutputs.gifScale(size: size)
    // Per frame: the forecast in double and float, its NPY bytes, the decoder's logits and
    // the GIF's indices of both panels.
    try MemoryBudget.check(
      rows: steps + 1,
      bytesPerRow: 28 * size * size + 2 * ((size + 2) * gifScale) * ((size + 2) * gifScale))
    let contextFile = try saved.video(contextPath, option: "--context")
    let forecast = try saved.forecast(from: contextFile, steps: steps)
    var staged: [StagedFile] = []
    do {
      let predicted = try FrameStack(forecast.frames)
      let truth = try FrameStack(
        count: min(contextFile.frames.count, predicted.count), size: size,
        values: Array(contextFile.frames.values.prefix(predicted.count * size * size)))
      staged.append(try FrameOutputs.stage(NPYFile.encode(predicted), at: named[0].destination))
      for (option, destination) in named.dropFirst() {
        let bytes: [UInt8]
        if option == "--gif" {
          bytes = try GIFAnimation(
            panels: [
              .init(frames: truth, colour: .black), .init(frames: predicted, colour: .vermilion),
            ],
            scale: gifScale, delay: FrameOutputs.delay(stepSize: saved.stepSize ?? 0)
          ).encode()
        } else {
          let strip = try FrameStrip(
            rows: [
              .init(frames: truth, colour: .black), .init(frames: predicted, colour: .vermilion),
            ],
            every: Self.stripInterval(frames: predicted.count), scale: max(1, 56 / size))
          bytes = try PNGImage.encode(strip.image())
        }
        staged.append(try FrameOutputs.stage(bytes, at: destination))
      }
    } catch {
      for file in staged { file.discard() }
      switch error {
      case let error as FrameError:
        throw LearningCommandError.frames(
          path: contextPath, option: "--context", detail: "\(error)")
      case let error as ImageError: throw CommandError.image(error)
      default: throw error
      }
    }
    try OutputFiles.commit(staged)
  }

  /// The PNG strip shows frames 0, k, 2k, …: at most 20 of `frames`.
  static func stripInterval(frames: Int) -> Int {
    max(1, (frames + 19) / 20)
  }
}
