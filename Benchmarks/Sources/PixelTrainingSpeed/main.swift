// Milliseconds per training iteration of the VIN-SO(2)-VAE at the reference's sizes
// (steindoringi/Variational_Integrator_Networks, config/pixels.gin): 28 × 28 frames, encoder
// 784 → 1000 → 1000, decoder → 1000 → 1000 → 784, the angular potential's 1000 tanh units,
// windows of horizon 10, 3 videos of 50 frames (120 windows, all in one batch of the
// reference's 200), h = 0.1.
//
//   swift run -c release PixelTrainingSpeed [ITERATIONS] [--seed S]   (from Benchmarks/; 8, 1)
//   swift run -c release PixelTrainingSpeed --export DIR
//   swift run -c release PixelTrainingSpeed --pendulum [ITERATIONS] [--width W] [--rounds R]
//     [--model NAME]
//
// `--pendulum` times the four models of Examples/PixelPendulum at its settings instead (VAE,
// ResNet-VAE, VIN-VV-VAE, VIN-SO(2)-VAE; width W = 200 for every network, context 10, learning
// rate 10⁻³, seed 1; default 30 iterations, 3 rounds): the models take turns, round after round,
// and each model's minimum and median ms per iteration (after its first iteration of each round)
// and its last loss are printed (of the model NAME alone with `--model`, for a profiler).
//
// Prints each iteration's wall and CPU time (all threads) and loss, why training stopped if it stopped early, then the
// minimum and the median after the first iteration (Docs/Learning.md). S seeds the trainer's
// batches and noise. With `--export DIR` it trains nothing: it writes the initial model, the
// frames, the first iteration's windows and noise, and the negative ELBO and its gradient at
// them (raw little-endian float64 files and `reference.json`), for the JAX peer to check that
// it computes the same loss and gradient (Benchmarks/peers/vin_so2_vae_jax.py).
import Foundation
import LagrangianLearning

/// Frames of a pendulum rod from the image centre (a pixel is ink within 1.6 px of the
/// segment), for angles θ (0 hangs down).
func rodVideo(angles: [Double], size: Int) throws -> PixelVideo {
  let centre = Double(size) / 2
  let length = 0.45 * Double(size)
  var pixels: [Double] = []
  for theta in angles {
    for row in 0..<size {
      for column in 0..<size {
        let (px, py) = (Double(column) + 0.5 - centre, Double(row) + 0.5 - centre)
        let along = min(max(px * sin(theta) + py * cos(theta), 0), length)
        let (dx, dy) = (px - along * sin(theta), py - along * cos(theta))
        pixels.append((dx * dx + dy * dy).squareRoot() <= 1.6 ? 1 : 0)
      }
    }
  }
  return try PixelVideo(size: size, pixels: pixels)
}

/// What `--export` writes to `reference.json` beside the raw arrays.
struct ExportedReference: Encodable {
  /// The negative ELBO per window at the exported model, windows and noise.
  let loss: Double
  let parameterCount: Int
  /// `parameters.f64`, in `PixelModel.flatParameters` order: encoder, decoder (each layer's
  /// row-major `out × in` weights, then its bias), the potential's network, the mass's raw value.
  let encoderSizes: [Int]
  let decoderSizes: [Int]
  let potentialSizes: [Int]
  let massEpsilon: Double
  let stepSize: Double
  let horizon: Int
  /// `frames.f64`: videos × framesPerVideo × frameSize², intensities in [0, 1].
  let videos: Int
  let framesPerVideo: Int
  let frameSize: Int
  /// The windows as `[video, start]`, in order; `noise.f64` holds ε for `(θ₀, θ₁)` of each.
  let windows: [[Int]]
  /// The trainer's seed: its batches and noise are SplitMix64's (`SeededGenerator`).
  let trainerSeed: UInt64
  let learningRate: Double
}

/// Writes `values` as raw little-endian float64 to `url`.
func writeRaw(_ values: [Double], to url: URL) throws {
  let data = values.withUnsafeBufferPointer { buffer in
    Data(buffer: UnsafeBufferPointer(start: buffer.baseAddress, count: buffer.count))
  }
  try data.write(to: url)
}

let arguments = Array(CommandLine.arguments.dropFirst())
/// The integer after the flag `name`, if given.
func option(_ name: String) -> Int? {
  arguments.firstIndex(of: name).flatMap {
    $0 + 1 < arguments.count ? Int(arguments[$0 + 1]) : nil
  }
}
let exportDirectory = arguments.firstIndex(of: "--export").flatMap {
  $0 + 1 < arguments.count ? URL(fileURLWithPath: arguments[$0 + 1]) : nil
}
// 8 by default: from the default seed, iteration 9's loss is not finite (a window's SO(2) step
// has no solution) and the trainer stops there.
let iterations = arguments.first.flatMap { Int($0) } ?? 8
let seed =
  arguments.firstIndex(of: "--seed").flatMap {
    $0 + 1 < arguments.count ? UInt64(arguments[$0 + 1]) : nil
  } ?? 1
let h = 0.1
let (size, width, potentialWidth, massEpsilon) = (28, 1000, 1000, 1e-4)
let videos = try [2.4, -2.0, 1.5].map { start in
  // Small-angle pendulum angles are enough for timing: the cost does not depend on the frames.
  try rodVideo(
    angles: (0..<50).map { start * cos(3.13 * h * Double($0)) }, size: size)
}

/// The wall time since `start`, in ms.
func milliseconds(since start: ContinuousClock.Instant) -> Double {
  let elapsed = (ContinuousClock.now - start).components
  return Double(elapsed.seconds) * 1e3 + Double(elapsed.attoseconds) * 1e-15
}

if arguments.contains("--pendulum") {
  let iterations = option("--pendulum") ?? 30
  let (width, rounds) = (option("--width") ?? 200, option("--rounds") ?? 3)
  let all = PixelModelSpecification.referenceModels(width: width, frameStep: h, frameSize: size)
  let only = arguments.firstIndex(of: "--model").flatMap {
    $0 + 1 < arguments.count ? arguments[$0 + 1] : nil
  }
  let models = all.filter { only == nil || $0.name == only }
  let trainer = PixelTrainer(
    configuration: PixelTrainingConfiguration(
      horizon: 10, iterations: iterations, learningRate: 1e-3, seed: 1))
  var times = Array(repeating: [Double](), count: models.count)
  var losses = Array(repeating: Double.nan, count: models.count)
  for _ in 0..<rounds {
    for (m, named) in models.enumerated() {
      var weights = SeededGenerator(seed: 1)
      let model = try PixelModel(specification: named.specification, generator: &weights)
      var last = ContinuousClock.now
      let result = try trainer.train(model, on: videos) { progress in
        if progress.iteration > 1 { times[m].append(milliseconds(since: last)) }
        last = .now
        return .proceed
      }
      losses[m] = result.summary.finalLoss
    }
  }
  print(
    "Examples/PixelPendulum's models, width \(width), \(iterations) iterations × \(rounds) rounds"
  )
  for (m, name) in models.map(\.name).enumerated() {
    let sorted = times[m].sorted()
    print(
      String(
        format: "%@ min %6.1f ms  median %6.1f ms per iteration  last loss %.17g",
        name.padding(toLength: 14, withPad: " ", startingAt: 0), sorted.first ?? .nan,
        sorted.isEmpty ? .nan : sorted[sorted.count / 2], losses[m]))
  }
  exit(0)
}
let dynamics = ModelSpecification(
  kind: .vinSO2, dimension: 1, stepSize: h,
  potential: .angularMLP(NetworkArchitecture(width: potentialWidth, depth: 1)),
  mass: .constant(epsilon: massEpsilon))
let specification = PixelModelSpecification(
  dynamics: dynamics, frameSize: size, encoderWidth: width, decoderWidth: width)
var generator = SeededGenerator(seed: 1)
let model = try PixelModel(specification: specification, generator: &generator)
let trainer = PixelTrainer(
  configuration: PixelTrainingConfiguration(horizon: 10, iterations: iterations, seed: seed))
if let directory = exportDirectory {
  let horizon = trainer.configuration.horizon
  // The first training iteration's batch and noise, drawn as `PixelTrainer.train` draws them
  // (one permutation, windows taken from its end, then ε): the exported loss is the first
  // loss that a timed run prints.
  let all = try trainer.windows(of: videos, for: model)
  var batchGenerator = SeededGenerator(seed: trainer.configuration.seed)
  let windows = batchGenerator.permutation(all.count).reversed().map { all[$0] }
  let noise = (0..<(windows.count * model.noiseCount(horizon: horizon))).map { _ in
    batchGenerator.nextStandardNormal()
  }
  var gradient: [Double] = []
  let loss = model.negativeELBOGradient(
    videos: videos, windows: windows, horizon: horizon, noise: noise, into: &gradient)
  try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  try writeRaw(model.flatParameters, to: directory.appendingPathComponent("parameters.f64"))
  try writeRaw(videos.flatMap(\.pixels), to: directory.appendingPathComponent("frames.f64"))
  try writeRaw(noise, to: directory.appendingPathComponent("noise.f64"))
  try writeRaw(gradient, to: directory.appendingPathComponent("gradient.f64"))
  // On SO(2) the encoder's outputs are (a, b, s) and the decoder's inputs (cos θ, sin θ).
  let hidden = { (width: Int, depth: Int) in Array(repeating: width, count: depth) }
  let reference = ExportedReference(
    loss: loss, parameterCount: model.parameterCount,
    encoderSizes: [size * size] + hidden(width, specification.encoderDepth) + [3],
    decoderSizes: [2] + hidden(width, specification.decoderDepth) + [size * size],
    potentialSizes: [2, potentialWidth, 1], massEpsilon: massEpsilon, stepSize: h,
    horizon: horizon, videos: videos.count, framesPerVideo: videos[0].frameCount,
    frameSize: size, windows: windows.map { [$0.video, $0.start] },
    trainerSeed: trainer.configuration.seed, learningRate: trainer.configuration.learningRate)
  let encoder = JSONEncoder()
  encoder.keyEncodingStrategy = .convertToSnakeCase
  try encoder.encode(reference).write(to: directory.appendingPathComponent("reference.json"))
  print(String(format: "exported to %@: negative ELBO %.17g", directory.path, loss))
  exit(0)
}
/// The CPU time of the process so far (all threads), in ms.
func processorMilliseconds() -> Double {
  var time = timespec()
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
  return Double(time.tv_sec) * 1e3 + Double(time.tv_nsec) * 1e-6
}

let clock = ContinuousClock()
var (last, lastProcessor) = (clock.now, processorMilliseconds())
var times: [Double] = []
let result = try trainer.train(model, on: videos) { progress in
  let (now, processor) = (clock.now, processorMilliseconds())
  let elapsed = (now - last).components
  times.append(Double(elapsed.seconds) * 1e3 + Double(elapsed.attoseconds) * 1e-15)
  print(
    String(
      format: "iteration %3d  %8.1f ms  CPU %8.1f ms  loss %.17g", progress.iteration,
      times.last!, processor - lastProcessor, progress.loss))
  (last, lastProcessor) = (now, processor)
  return .proceed
}
if result.summary.stopReason != .completed {
  print("stopped: \(result.summary.stopReason)")
}
let sorted = times.dropFirst().sorted()
print(
  String(
    format:
      "VIN-SO(2)-VAE, %d parameters, %d windows per batch: min %.1f ms, median %.1f ms per iteration",
    model.parameterCount, result.summary.trainingWindows, sorted.first ?? .nan,
    sorted.isEmpty ? .nan : sorted[sorted.count / 2]))
