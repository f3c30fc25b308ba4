import Foundation
import Testing

@testable import Frames

/// The rod matcher recovers the angles of drawn rods and tells a blur from a rod.
struct RodMatcherTests {
  /// Rods drawn at 40 random angles on 28 × 28 frames are matched to within 0.01 rad (binary: the
  /// middle of the interval of angles whose rod is the same image; 0.0070 measured) or 0.001 rad
  /// (anti-aliased; 0.00029 measured), at distance 0 for binary frames (the frame is one of the
  /// rods).
  @Test(arguments: [(Rasteriser.Sampling.binary, 0.01), (.antialiased, 0.001)])
  func recoversTheAngle(sampling: Rasteriser.Sampling, tolerance: Double) throws {
    let matcher = try RodMatcher(size: 28, sampling: sampling)
    let drawing = try PendulumDrawing()
    var generator = SplitMix64(seed: 7)
    var angles: [Double] = []
    for _ in 0..<40 {
      angles.append(Double(generator.next() >> 11) / Double(1 << 53) * 2 * .pi - .pi)
    }
    let frames = try matcher.rasteriser.frames(of: drawing, at: angles.map { [$0] })
    let matches = try matcher.match(frames)
    var worst = 0.0
    for (angle, match) in zip(angles, matches) {
      worst = max(worst, abs(RodMatcher.principal(match.angle - angle)))
      if sampling == .binary { #expect(match.squaredDistance == 0) }
      #expect(match.squaredDistance < 0.5)
    }
    #expect(worst < tolerance, "the worst angle error is \(worst) rad")
  }

  /// A blurred rod and a grey frame are far from every rod: their distances are at least a
  /// quarter of the rod's own pixel mass, where a drawn rod's is 0.
  @Test func blurAndGreyAreFarFromRods() throws {
    let matcher = try RodMatcher(size: 28)
    let rod = try matcher.rasteriser.frame(of: PendulumDrawing(), at: [0.9])
    let mass = rod.reduce(0) { $0 + Double($1) }
    // A 7 × 7 box blur of the rod.
    var blurred = [Float](repeating: 0, count: rod.count)
    for row in 0..<28 {
      for column in 0..<28 {
        var sum: Float = 0
        for dy in -3...3 {
          for dx in -3...3 {
            let (y, x) = (row + dy, column + dx)
            if (0..<28).contains(y), (0..<28).contains(x) { sum += rod[y * 28 + x] }
          }
        }
        blurred[row * 28 + column] = sum / 49
      }
    }
    let grey = [Float](repeating: Float(mass / 784), count: 784)
    for frame in [blurred, grey] {
      let match = try matcher.match(frame)
      #expect(match.squaredDistance > mass / 4, "distance \(match.squaredDistance), mass \(mass)")
    }
    // The blur still points the right way.
    #expect(abs(try matcher.match(blurred).angle - 0.9) < 0.1)
  }

  @Test func badInput() throws {
    let matcher = try RodMatcher(size: 8)
    #expect(throws: FrameError.valueCount(expected: 64, found: 3)) { try matcher.match([0, 0, 0]) }
    let frames = try FrameStack(blankFrames: 2, size: 9)
    #expect(throws: FrameError.sizeMismatch(expected: 8, found: 9)) { try matcher.match(frames) }
    #expect(throws: FrameError.self) { try RodMatcher(size: 8, gridCount: 2) }
  }
}

/// A small seeded generator (SplitMix64, Steele, Lea and Flood 2014) for reproducible angles.
struct SplitMix64: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
