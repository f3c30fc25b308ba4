import Frames
import VINKit

/// A video of the pendulum (m = l = 1, g = 9.81) and the angles it shows: the exact motion from
/// one initial state, sampled every h, each sample drawn by the Frames module's renderer as
/// `vin render pendulum` draws it (a thick rod from the frame's centre, binary pixels).
struct PendulumVideo {
  /// The true angle θ_k of every frame, from the downward vertical.
  let angles: [Double]
  /// The frames, as the pixel models read them.
  let video: PixelVideo
  /// The same frames, as the Frames module draws, matches and saves them.
  let frames: FrameStack

  /// The motion from `(q0, v0)`, `count` frames `size` pixels a side, h apart: GSL's rk8pd at
  /// tolerance 1e-12 (the reference uses dop853 at 1e-12).
  init(from q0: Double, _ v0: Double, count: Int, stepSize: Double, size: Int) throws {
    let pendulum = try Pendulum(mass: 1, length: 1, gravity: 9.81)
    var solver = try ReferenceSolver(system: pendulum, stepSize: stepSize)
    var state = try pendulum.state(position: [q0], velocity: [v0])
    var angles = [q0]
    for _ in 1..<count {
      try solver.step(&state)
      angles.append(state.q[0])
    }
    self.angles = angles
    frames = try Rasteriser(size: size).frames(of: PendulumDrawing(), at: angles.map { [$0] })
    video = try PixelVideo(size: size, pixels: frames.values.map(Double.init))
  }

  /// An initial state of the VIN paper's pixel pendulum (steindoringi/Variational_Integrator_Networks,
  /// systems.py): |θ₀| ∈ (π/2, π − 0.1) with a random sign, θ̇₀ ∈ (−1, 1). The pendulum swings
  /// high; from the highest starts with the fastest push it goes over the top.
  static func randomStart(_ generator: inout SeededGenerator) -> (q: Double, v: Double) {
    let magnitude = Double.pi - 0.1 - generator.nextUniform() * (Double.pi / 2 - 0.1)
    let sign: Double = generator.nextUniform() < 0.5 ? -1 : 1
    return (sign * magnitude, 2 * generator.nextUniform() - 1)
  }
}

extension FrameStack {
  /// A pixel model's video as frames.
  init(_ video: PixelVideo) throws {
    try self.init(
      count: video.frameCount, size: video.size, values: video.pixels.map { Float($0) })
  }
}
