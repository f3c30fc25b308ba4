// PixelPendulum: learning a pendulum from pixels. Four variational autoencoders see the same
// three short videos of a swinging rod; three of them also learn how their latent state moves
// (a ResNet, and two Variational Integrator Networks), and then forecast 200 frames from the
// first 10 frames of videos they have never seen. The VIN on the circle, SO(2), keeps drawing a
// sharp rod that swings as high as the true one; the ResNet's forecast dissolves into a blur.
//
// The setting is the VIN paper's pixel pendulum (Saemundsson et al., Variational Integrator
// Networks, AISTATS 2020, §5.2; steindoringi/Variational_Integrator_Networks): 28 × 28 binary
// frames, 3 training videos of 50 frames h = 0.1 apart, windows of 10 steps, the initial latent
// state inferred from the first frames.
//
//     swift run -c release PixelPendulum [OUTPUT-DIRECTORY]        # or: make demo-pixels
//
// It writes pixel-errors.svg, pixel-embedding.svg, pixel-forecast.png and pixel-forecast.gif.

import FileOutput
import Foundation
import Frames
import Plotting
import VINKit

// MARK: 0. Settings

// The environment variables PIXEL_PENDULUM_WIDTH, _ITERATIONS, _LEARNING_RATE, _VIDEOS,
// _TESTS, _STEPS and _SEED override the defaults (Docs/Learning.md runs the benchmark with
// them; PIXEL_PENDULUM_WIDTH=1000 is the paper's width), and _MODELS (names separated by
// commas, say "VIN-SO(2)-VAE") fits only those models. PIXEL_PENDULUM_SPECTRAL_START=0 starts
// the VIN-SO(2)-VAE's encoder from its initial weights rather than on the frames' spectral
// embedding (`PixelSpectralStart`, `vin fit --no-spectral-start`). VINKIT_EXAMPLES_QUICK=1 runs a
// tiny version, for the tests.
let environment = ProcessInfo.processInfo.environment
let quick = environment["VINKIT_EXAMPLES_QUICK"] != nil
func setting(_ name: String, _ value: Int, quick quickValue: Int) -> Int {
  environment["PIXEL_PENDULUM_" + name].flatMap(Int.init) ?? (quick ? quickValue : value)
}
let width = setting("WIDTH", 200, quick: 12)
let iterations = setting("ITERATIONS", 1000, quick: 4)
let videoCount = setting("VIDEOS", 3, quick: 1)
let testCount = setting("TESTS", 10, quick: 2)
let forecastSteps = setting("STEPS", 200, quick: 55)
let seed = UInt64(setting("SEED", 1, quick: 1))
let learningRate = environment["PIXEL_PENDULUM_LEARNING_RATE"].flatMap(Double.init) ?? 1e-3
let outputDirectory = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "."
// The pictures go to the output directory, made now if missing: a path that cannot hold them
// is reported before the fits, not after them.
var outputIsDirectory: ObjCBool = false
let outputProblem: String? =
  if FileManager.default.fileExists(atPath: outputDirectory, isDirectory: &outputIsDirectory) {
    outputIsDirectory.boolValue ? nil : "'\(outputDirectory)' is a file, not a directory"
  } else if (try? FileManager.default.createDirectory(
    atPath: outputDirectory, withIntermediateDirectories: true)) == nil
  {
    "cannot make the output directory '\(outputDirectory)'"
  } else {
    nil
  }
if let outputProblem {
  FileHandle.standardError.write(Data("PixelPendulum: \(outputProblem)\n".utf8))
  exit(1)
}

let clock = ContinuousClock()
let programStart = clock.now
func seconds(since start: ContinuousClock.Instant) -> Double {
  let elapsed = (clock.now - start).components
  return Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18
}

// MARK: 1. Videos

let stepSize = 0.1
let frameSize = 28
let trainingFrames = 50
let context = 10

var starts = SeededGenerator(seed: 1000 + seed)
let training = try (0..<videoCount).map { _ in
  let (q, v) = PendulumVideo.randomStart(&starts)
  return try PendulumVideo(
    from: q, v, count: trainingFrames, stepSize: stepSize, size: frameSize)
}
let tests = try (0..<testCount).map { _ in
  let (q, v) = PendulumVideo.randomStart(&starts)
  return try PendulumVideo(
    from: q, v, count: forecastSteps + 1, stepSize: stepSize, size: frameSize)
}
print(
  "\(videoCount) training videos of \(trainingFrames) frames, \(testCount) test videos of "
    + "\(forecastSteps + 1), \(frameSize) × \(frameSize) pixels, h = \(stepSize)")

// The simplest forecast: the mean training frame, a grey disc where the rod has been.
let allTraining = training.flatMap { $0.video.pixels }
let meanFrame = (0..<(frameSize * frameSize)).map { i in
  stride(from: i, to: allTraining.count, by: frameSize * frameSize)
    .reduce(0) { $0 + allTraining[$1] } / Double(videoCount * trainingFrames)
}

// MARK: 2. Models

// The paper's four models (`PixelModelSpecification.referenceModels`), at width W: one width
// for every network (the encoder 784 → W → W, the decoder → W → W → 784 and the latent
// dynamics' one hidden layer of W tanh units). The VIN-SO(2) steps by h, the VIN-VV and the
// ResNet by 1 (their latent time is learned), with the mass fixed to 1.
let allModels = PixelModelSpecification.referenceModels(
  width: width, frameStep: stepSize, frameSize: frameSize, context: context)

let chosen = environment["PIXEL_PENDULUM_MODELS"]?.split(separator: ",").map(String.init)
let models = allModels.filter { chosen?.contains($0.name) ?? true }
guard !models.isEmpty else {
  print("PIXEL_PENDULUM_MODELS names none of \(allModels.map(\.name).joined(separator: ", "))")
  exit(1)
}

// MARK: 3. Training

// The VIN-SO(2)-VAE's encoder starts on the frames' spectral embedding, the other models ignore
// it (`PixelSpectralStart`, the default).
let trainer = PixelTrainer(
  configuration: PixelTrainingConfiguration(
    horizon: context, iterations: iterations, learningRate: learningRate, seed: seed,
    spectralStart: environment["PIXEL_PENDULUM_SPECTRAL_START"] == "0" ? nil : PixelSpectralStart())
)
let videos = training.map(\.video)

/// Fits model `index` from its own seeded initial weights.
@Sendable func fit(_ index: Int) throws -> (model: PixelModel, report: String) {
  let name = models[index].name
  var weights = SeededGenerator(seed: seed)
  let model = try PixelModel(specification: models[index].specification, generator: &weights)
  print("Fitting \(name) (\(model.parameterCount) parameters, \(iterations) iterations)")
  let start = clock.now
  let result = try trainer.train(model, on: videos) { progress in
    if progress.iteration % max(iterations / 5, 1) == 0 { print("  \(name): \(progress)") }
    return .proceed
  }
  let summary = result.summary
  let stepBacks = summary.stepBacks.map { ", \($0) step-backs" } ?? ""
  let meanStarts =
    summary.meanStarts.map { ", \($0) window\($0 == 1 ? "" : "s") rolled out from the mean" } ?? ""
  // A run stopped by a non-finite loss has no last loss to show; its lowest is the one to read.
  let loss =
    summary.finalLoss.isFinite
    ? "\(TextTable.fixed(summary.finalLoss, 1)) (lowest \(TextTable.fixed(summary.bestLoss, 1)))"
    : "lowest \(TextTable.fixed(summary.bestLoss, 1))"
  return (
    result.model,
    "\(name): \(summary.stopReason)\(stepBacks)\(meanStarts), negative ELBO per window "
      + "\(loss), \(TextTable.fixed(seconds(since: start), 1)) s"
  )
}

// The four fits are independent, so they run side by side: as many at once as there are cores
// for OpenBLAS's threads (`make demo-pixels` runs OpenBLAS on one thread, and two fits on two
// cores; on products this small OpenBLAS's second thread gains less than a second fit does).
let concurrentFits = max(
  1, min(models.count, ProcessInfo.processInfo.activeProcessorCount / MatrixProducts.threadCount))
let run = clock.now
let fits = try await withThrowingTaskGroup(of: (Int, PixelModel, String).self) { group in
  var (next, done) = (0, [(Int, PixelModel, String)]())
  func startNext() {
    let index = next
    group.addTask {
      let (model, report) = try fit(index)
      return (index, model, report)
    }
    next += 1
  }
  while next < concurrentFits { startNext() }
  while let finished = try await group.next() {
    print("  " + finished.2)
    done.append(finished)
    if next < models.count { startNext() }
  }
  return done.sorted { $0.0 < $1.0 }
}
let fitted = fits.map(\.1)
let trainingSeconds = seconds(since: run)
print(
  "\(models.count) fits, \(concurrentFits) at a time, in \(TextTable.fixed(trainingSeconds, 1)) s")

// MARK: 4. Forecasts and scores

// Each model with dynamics forecasts frames 0…200 of every test video from its first 10 frames:
// the encoder's estimate of the latent start (position-only models read the first two frames),
// moved to the state whose decoded rollout best explains all ten (`PixelModel.initialState`).
// (The short form searches a coarser grid of rods: the debug build the tests run is slow.)
let matcher = try RodMatcher(size: frameSize, gridCount: quick ? 36 : 360)
var forecasts: [[PixelForecast]] = []
var scores: [ForecastScore?] = []
// The short error of the same forecasts from the encoder's estimate alone, for comparison.
var encoderStartShort: [Double?] = []
for model in fitted {
  guard model.dynamics != nil else {
    forecasts.append([])
    scores.append(nil)
    encoderStartShort.append(nil)
    continue
  }
  let predictions = try tests.map {
    try model.forecast(context: $0.video.prefix(context), steps: forecastSteps)
  }
  forecasts.append(predictions)
  scores.append(
    try ForecastScore(
      forecasts: predictions, tests: tests, matcher: matcher,
      energy: LearnedEnergy(model.dynamics)))
  let fromEncoder = try tests.map {
    try model.forecast(
      context: $0.video.prefix(context), steps: ForecastScore.shortFrames.upperBound,
      estimate: .encoder)
  }
  encoderStartShort.append(
    mean(
      ForecastScore.shortFrames.map { k in
        mean(zip(fromEncoder, tests).map { squaredDistance($0.frames.frame(k), $1.video.frame(k)) })
      }))
}

// The mean frame as a forecast of every frame, and its distance to the nearest rod.
let meanFrameErrors = (0...forecastSteps).map { k in
  mean(tests.map { squaredDistance(meanFrame[...], $0.video.frame(k)) })
}
let meanFrameShort = mean(meanFrameErrors[ForecastScore.shortFrames])
let meanFrameSharp = try matcher.match(meanFrame.map { Float($0) }).squaredDistance

// The latent angle of every frame against the true angle: the encoder's posterior means.
let trainingAngles = training.flatMap(\.angles)
let testAngles = tests.flatMap(\.angles)
let embeddings = try fitted.map { model in
  (
    training: try training.flatMap { try model.embed($0.video).map { $0[0] } },
    test: try tests.flatMap { try model.embed($0.video).map { $0[0] } }
  )
}

print("")
print(
  "Forecasts of \(forecastSteps) frames from the first \(context) frames of \(testCount) fresh videos"
)
TextTable.printRow(
  TextTable.column("model", 16) + TextTable.column("short", 9) + TextTable.column("sharp", 9)
    + TextTable.column("sharp/mean", 12) + TextTable.column("amplitude", 11)
    + TextTable.column("alignment", 11) + "energy drift")
func cell(_ value: Double?, _ decimals: Int, _ width: Int) -> String {
  TextTable.column(value.map { TextTable.fixed($0, decimals) } ?? "-", width)
}
for (index, name) in models.map(\.name).enumerated() {
  let score = scores[index]
  TextTable.printRow(
    TextTable.column(name, 16) + cell(score?.short, 2, 9) + cell(score?.sharp, 2, 9)
      + cell(score.map { $0.sharp / meanFrameSharp }, 3, 12) + cell(score?.amplitudeError, 3, 11)
      + cell(alignment(latent: embeddings[index].test, truth: testAngles), 3, 11)
      + (score?.energyDrift.map { TextTable.scientific($0) } ?? "-"))
}
TextTable.printRow(
  TextTable.column("mean frame", 16) + cell(meanFrameShort, 2, 9) + cell(meanFrameSharp, 2, 9)
    + cell(1, 3, 12) + "-")
print(
  """

  short: mean squared error per frame (summed over the 784 pixels) over frames 10–40.
  sharp: over frames 50–\(forecastSteps), the squared distance of each forecast frame to the nearest rod
  the renderer draws (RodMatcher), and its ratio to the mean frame's.
  amplitude: over frames 50–\(forecastSteps), |highest |θ| of the matched rods − the truth's| (rad).
  alignment: max over s = ±1 of |mean exp(i(φ − sθ))|, latent φ against the true angle θ, test frames.
  energy drift: |mean learned energy over the last 20 frames − over the first 20| / largest kinetic energy.
  The VAE has no dynamics: it cannot forecast.
  """)
print(
  "Short error from the encoder's start alone (not fitted to the 10 context frames): "
    + models.indices.compactMap { index in
      encoderStartShort[index].map { "\(models[index].name) \(TextTable.fixed($0, 2))" }
    }.joined(separator: ", "))

// MARK: 5. Pictures

let frames = Array(0...forecastSteps)
let times = frames.map(Double.init)
let forecasting = models.indices.filter { scores[$0] != nil }
func path(_ name: String) -> String { (outputDirectory as NSString).appendingPathComponent(name) }

// The error of every frame, and its distance to the nearest rod, against time.
let errorFigure = Figure(
  title: "Forecasting a pendulum from pixels",
  subtitle:
    "\(videoCount) training videos of \(trainingFrames) frames, widths \(width), \(iterations) iterations; "
    + "mean over \(testCount) fresh videos, forecast from their first \(context) frames",
  panels: [
    Panel(
      title: "Squared error of each forecast frame", xLabel: "frame", yLabel: "Σ (ŷ − y)²",
      series: forecasting.map {
        Series(name: models[$0].name, x: times, y: scores[$0]!.frameErrors)
      } + [
        Series(name: "mean frame", x: times, y: meanFrameErrors, color: "#333333", isDashed: true)
      ]),
    Panel(
      title: "Distance of each forecast frame to the nearest rod (small: a sharp rod)",
      xLabel: "frame", yLabel: "Σ (ŷ − rod)²",
      series: forecasting.map {
        Series(name: models[$0].name, x: times, y: scores[$0]!.rodDistances)
      } + [
        Series(
          name: "mean frame", x: times, y: frames.map { _ in meanFrameSharp }, color: "#333333",
          isDashed: true)
      ]),
  ])
try AtomicFile.write(errorFigure.svg(), to: path("pixel-errors.svg"))

// The latent position of every frame against its true angle, one panel per model. Consecutive
// frames are joined; the line breaks where either angle wraps round the circle.
func trace(_ name: String, latent: [Double], truth: [Double], color: String) -> Series {
  var (x, y) = ([Double](), [Double]())
  for k in latent.indices {
    if k > 0, abs(truth[k] - truth[k - 1]) > .pi || abs(latent[k] - latent[k - 1]) > 1 {
      x.append(.nan)
      y.append(.nan)
    }
    x.append(atan2(sin(truth[k]), cos(truth[k])))
    y.append(latent[k])
  }
  return Series(name: name, x: x, y: y, color: color)
}
let embeddingFigure = Figure(
  title: "What the encoders learned: the latent position of each frame against the true angle",
  subtitle:
    "alignment: max over s = ±1 of |mean exp(i(φ − sθ))| on the test frames (1: the angle itself)",
  panels: models.indices.map { index in
    Panel(
      title:
        "\(models[index].name): alignment \(TextTable.fixed(alignment(latent: embeddings[index].test, truth: testAngles), 3))",
      xLabel: "true angle θ (rad)",
      yLabel: models[index].specification.dynamics?.kind == .vinSO2
        ? "latent angle φ (rad)" : "latent q",
      series: [
        trace(
          "training frames", latent: embeddings[index].training, truth: trainingAngles,
          color: Palette.color(0)),
        trace(
          "test frames", latent: embeddings[index].test, truth: testAngles, color: Palette.color(1)),
      ])
  }, panelHeight: 240)
try AtomicFile.write(embeddingFigure.svg(), to: path("pixel-embedding.svg"))

// The first test video and each model's forecast: a strip of every 10th frame, and a GIF.
let colours = [RGBColour.vermilion, .blue, RGBColour(red: 0, green: 158, blue: 115)]
let shown =
  try [(tests[0].frames, RGBColour.black)]
  + zip(forecasting, colours).map { (try FrameStack(forecasts[$0][0].frames), $1) }
let strip = try FrameStrip(
  rows: shown.map { FrameStrip.Row(frames: $0.0, colour: $0.1) }, every: 10, scale: 2)
try PNGImage.write(strip.image(), to: path("pixel-forecast.png"))
let animation = try GIFAnimation(
  panels: shown.map { GIFAnimation.Panel(frames: $0.0, colour: $0.1) }, scale: 3, delay: 10)
try animation.write(to: path("pixel-forecast.gif"))
print(
  "Wrote \(path("pixel-errors.svg")), \(path("pixel-embedding.svg")), \(path("pixel-forecast.png")) "
    + "(rows: truth, \(forecasting.map { models[$0].name }.joined(separator: ", ")); every 10th frame) "
    + "and \(path("pixel-forecast.gif"))")
print("Done in \(TextTable.fixed(seconds(since: programStart), 1)) s.")
