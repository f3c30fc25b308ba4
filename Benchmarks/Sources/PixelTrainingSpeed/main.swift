// Milliseconds per training iteration of the VIN-SO(2)-VAE at the reference's sizes
// (steindoringi/Variational_Integrator_Networks, config/pixels.gin): 28 × 28 frames, encoder
// 784 → 1000 → 1000, decoder → 1000 → 1000 → 784, the angular potential's 1000 tanh units,
// windows of horizon 10, 3 videos of 50 frames (120 windows, all in one batch of the
// reference's 200), h = 0.1.
//
//   swift run -c release PixelTrainingSpeed [ITERATIONS]   (from Benchmarks/; default 20)
//
// Prints each iteration's time, then the minimum and the median (Docs/Learning.md).
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

let iterations = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 20 : 20
let h = 0.1
let videos = try [2.4, -2.0, 1.5].map { start in
  // Small-angle pendulum angles are enough for timing: the cost does not depend on the frames.
  try rodVideo(
    angles: (0..<50).map { start * cos(3.13 * h * Double($0)) }, size: 28)
}
let dynamics = ModelSpecification(
  kind: .vinSO2, dimension: 1, stepSize: h,
  potential: .angularMLP(NetworkArchitecture(width: 1000, depth: 1)), mass: .constant())
var generator = SeededGenerator(seed: 1)
let model = try PixelModel(
  specification: PixelModelSpecification(dynamics: dynamics), generator: &generator)
let trainer = PixelTrainer(
  configuration: PixelTrainingConfiguration(horizon: 10, iterations: iterations, seed: 1))
let clock = ContinuousClock()
var last = clock.now
var times: [Double] = []
let result = try trainer.train(model, on: videos) { progress in
  let now = clock.now
  let elapsed = (now - last).components
  times.append(Double(elapsed.seconds) * 1e3 + Double(elapsed.attoseconds) * 1e-15)
  last = now
  print(
    String(
      format: "iteration %3d  %8.1f ms  loss %.2f", progress.iteration, times.last!, progress.loss))
  return .proceed
}
let sorted = times.dropFirst().sorted()
print(
  String(
    format:
      "VIN-SO(2)-VAE, %d parameters, %d windows per batch: min %.1f ms, median %.1f ms per iteration",
    model.parameterCount, result.summary.trainingWindows, sorted.first ?? .nan,
    sorted.isEmpty ? .nan : sorted[sorted.count / 2]))
