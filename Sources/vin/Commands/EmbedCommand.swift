import ArgumentParser
import Foundation
import VINKit

/// `vin embed`: a pixel model's encoder applied to every frame of a video, written as CSV, and
/// with the true states the alignment of the latent angle with the true one
/// (``LatentAlignment``).
struct EmbedCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "embed",
    abstract: "Write a pixel model's latent position of every frame of a video as CSV.",
    discussion: """
      Columns t,q1..qd: the encoder's posterior mean of each frame's latent position, frame \\
      by frame on its own (on SO(2), vin-so2, q1 is the angle in (−π, π]); t = k h with the \\
      model's step size h (t = k for a plain VAE, which has none).

      --states FILE.csv: the true states of the frames (as `vin render --output` or \\
      `vin simulate` writes them, a row per frame). For a one-dimensional latent the \\
      alignment of the latent angle φ with the true angle θ = q1 is printed, \\
      max over s = ±1 of |mean_k exp(i(φ_k − s θ_k))|: 1 when φ is θ (or −θ) up to a \\
      constant offset. It goes to standard output, or to standard error when the CSV does.
      """
  )

  @Option(
    help: ArgumentHelp(
      "The pixel model file written by `vin fit --frames`.", valueName: "model.json"))
  var model: String

  @Option(help: ArgumentHelp("The video to embed (.npy).", valueName: "file.npy"))
  var frames: String

  @Option(
    help: ArgumentHelp(
      "Write the CSV to this file instead of standard output.", valueName: "file.csv"))
  var output: String?

  @Option(
    help: ArgumentHelp(
      "The true states of the frames (a CSV with a row per frame): print the latent angle's alignment with q1.",
      valueName: "file.csv"))
  var states: String?

  func run() throws {
    let target = try OutputTarget(output)
    let inputs =
      [("--model", model), ("--frames", frames)] + (states.map { [("--states", $0)] } ?? [])
    for (input, path) in inputs where target.replaces(path) {
      throw LearningCommandError.invalidOption(
        option: "--output", value: "'\(path)'",
        requirement: "names the \(input) file, which writing it would replace")
    }
    let saved = try LoadedModel(path: model).pixels(for: "`vin embed`")
    let video = try saved.video(frames, option: "--frames")
    let positions: [[Double]]
    do {
      positions = try saved.model.embed(video.video)
    } catch {
      throw LearningCommandError.frames(path: frames, option: "--frames", detail: "\(error)")
    }
    let alignment = try states.map { path throws(LearningCommandError) in
      try Self.alignment(positions, states: path, saved: saved)
    }
    let d = saved.specification.latentDimension
    let h = saved.stepSize ?? 1
    var csv = (["t"] + (1...d).map { "q\($0)" }).joined(separator: ",") + "\n"
    for (k, q) in positions.enumerated() { csv += CSVFormat.line([Double(k) * h] + q) }
    try OutputFiles.deliver(csv, to: target)
    guard let alignment, let states else { return }
    let line =
      "alignment \(alignment.value) of the latent angle with q1 of '\(states)' (s = \(alignment.sense > 0 ? "+1: the same sense of rotation" : "−1: the mirror image"))"
    if target == .standardOutput {
      printToStandardError(line)
    } else {
      try StandardOutput.write(line + "\n")
    }
  }

  /// The alignment of the one-dimensional latent `positions` with q1 of the states file.
  static func alignment(_ positions: [[Double]], states path: String, saved: SavedPixelModel)
    throws(LearningCommandError) -> LatentAlignment
  {
    let d = saved.specification.latentDimension
    guard d == 1 else {
      throw .invalidOption(
        option: "--states", value: "'\(path)'",
        requirement:
          "the alignment compares a latent angle with the true one, but the model '\(saved.path)' has a \(d)-dimensional latent"
      )
    }
    let file = try TrajectoryFile(path: path)
    guard let truth = file.trajectory.positions else {
      throw .invalidOption(
        option: "--states", value: "'\(path)'",
        requirement: "holds attitudes on SO(3); the alignment needs an angle q1")
    }
    guard truth.count == positions.count else {
      throw .invalidOption(
        option: "--states", value: "'\(path)'",
        requirement:
          "has \(truth.count) rows, but the frames are \(positions.count); it needs a row per frame"
      )
    }
    do {
      return try LatentAlignment(latent: positions.map { $0[0] }, truth: truth.map { $0[0] })
    } catch {
      throw .data(path: path, error)
    }
  }
}
