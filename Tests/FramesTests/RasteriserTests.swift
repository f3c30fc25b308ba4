import Foundation
import Testing

@testable import Frames

/// Frames drawn where the system is: centres of mass on the rods and discs, areas as the
/// strokes', binary values 0 and 1.
struct RasteriserTests {
  /// The centre of mass (column, row) of a frame, in pixel units from the top left corner
  /// (pixel centres at half-integers).
  func centreOfMass(_ frame: [Float], size: Int) -> (x: Double, y: Double, mass: Double) {
    var (x, y, mass) = (0.0, 0.0, 0.0)
    for row in 0..<size {
      for column in 0..<size {
        let value = Double(frame[row * size + column])
        x += value * (Double(column) + 0.5)
        y += value * (Double(row) + 0.5)
        mass += value
      }
    }
    return (x / mass, y / mass, mass)
  }

  /// A rod's centre of mass is its midpoint, at `l/2` along `(sin θ, −cos θ)` from the centre:
  /// in pixels, `S/2 + (l/2)(S/2w) (sin θ, cos θ)` (rows grow downwards). Every angle's frame
  /// has it there to within half a pixel (binary; 0.34 measured at 28 pixels) and a twentieth
  /// (anti-aliased; 0.012 measured).
  @Test(arguments: [(Rasteriser.Sampling.binary, 0.5), (.antialiased, 0.05)])
  func pendulumCentreOfMassLiesOnTheRod(sampling: Rasteriser.Sampling, tolerance: Double) throws {
    let drawing = try PendulumDrawing()
    for size in [28, 64] {
      let rasteriser = try Rasteriser(size: size, sampling: sampling)
      let pixelsPerUnit = Double(size) / (2 * drawing.viewHalfWidth)
      var worst = 0.0
      for k in 0..<120 {
        let angle = -Double.pi + 2 * Double.pi * (Double(k) + 0.37) / 120
        let frame = try rasteriser.frame(of: drawing, at: [angle])
        let centre = centreOfMass(frame, size: size)
        let half = drawing.rodLengths[0] / 2 * pixelsPerUnit
        let expected = (
          x: Double(size) / 2 + half * sin(angle), y: Double(size) / 2 + half * cos(angle)
        )
        worst = max(worst, hypot(centre.x - expected.x, centre.y - expected.y))
      }
      #expect(worst < tolerance, "size \(size): the centre of mass is \(worst) pixels off")
    }
  }

  /// Binary frames hold only 0 and 1; anti-aliased values are multiples of 1/64 whose sum is the
  /// capsule's area `2 r l + π r²` (in pixels²) to within 1 %.
  @Test func valuesAndArea() throws {
    let drawing = try PendulumDrawing()
    let size = 28
    let binary = try Rasteriser(size: size).frame(of: drawing, at: [0.7])
    #expect(binary.allSatisfy { $0 == 0 || $0 == 1 })
    let smooth = try Rasteriser(size: size, sampling: .antialiased).frame(of: drawing, at: [0.7])
    #expect(smooth.allSatisfy { ($0 * 64).rounded() == $0 * 64 && $0 >= 0 && $0 <= 1 })
    #expect(smooth.contains { $0 > 0 && $0 < 1 })
    let scale = Double(size) / (2 * drawing.viewHalfWidth)
    let (r, l) = (drawing.rodRadius * scale, drawing.rodLengths[0] * scale)
    let area = 2 * r * l + Double.pi * r * r
    let covered = smooth.reduce(0) { $0 + Double($1) }
    #expect(abs(covered - area) / area < 0.01, "covered \(covered) px², the capsule \(area)")
    // The rod fills the frame: its far end reaches 15/16 of the half-width, and no further.
    let tip = try Rasteriser(size: size).frame(of: drawing, at: [0])
    let lowest = (0..<size).last { row in (0..<size).contains { tip[row * size + $0] == 1 } }
    #expect(lowest == size / 2 + Int(Double(size) / 2 * 15 / 16) - 1)
  }

  /// The double pendulum's chain: stretched out (θ₁ = θ₂) its centre of mass lies on the line
  /// of the rods, at the chain's midpoint for equal rods.
  @Test func doublePendulumChain() throws {
    let drawing = try PendulumDrawing(rodLengths: [1, 1])
    let size = 56
    let rasteriser = try Rasteriser(size: size, sampling: .antialiased)
    let pixelsPerUnit = Double(size) / (2 * drawing.viewHalfWidth)
    for angle in [0.0, 0.5, 2.0, -2.8] {
      let centre = centreOfMass(try rasteriser.frame(of: drawing, at: [angle, angle]), size: size)
      let expected = (x: 28 + pixelsPerUnit * sin(angle), y: 28 + pixelsPerUnit * cos(angle))
      #expect(hypot(centre.x - expected.x, centre.y - expected.y) < 0.1)
    }
    // Bent at a right angle, the outer rod hangs from the inner one's end: half the mass moves
    // half a rod to the right, so the centre of mass moves l/4 (a little more, since the round
    // ends overlap at the elbow and count once).
    let straight = centreOfMass(try rasteriser.frame(of: drawing, at: [0, 0]), size: size)
    let bent = centreOfMass(try rasteriser.frame(of: drawing, at: [0, Double.pi / 2]), size: size)
    let shift = bent.x - straight.x
    #expect(shift > pixelsPerUnit / 4 && shift < pixelsPerUnit / 4 + 1, "shift \(shift) px")
  }

  /// The disc of the one-dimensional oscillator: its centre of mass is at `(q, 0)`.
  @Test func slidingDisc() throws {
    let drawing = try SlidingDiscDrawing()
    let size = 28
    let rasteriser = try Rasteriser(size: size, sampling: .antialiased)
    for q in [-1.7, -0.3, 0, 0.81, 1.9] {
      let centre = centreOfMass(try rasteriser.frame(of: drawing, at: [q]), size: size)
      let column = (q + drawing.viewHalfWidth) * Double(size) / (2 * drawing.viewHalfWidth)
      #expect(abs(centre.x - column) < 0.05)
      #expect(abs(centre.y - 14) < 0.05)
    }
    // Far outside the view, the frame is blank.
    #expect(try rasteriser.frame(of: drawing, at: [1e6]).allSatisfy { $0 == 0 })
  }

  @Test func badInput() throws {
    let drawing = try PendulumDrawing()
    let rasteriser = try Rasteriser(size: 8)
    #expect(throws: FrameError.invalidConfiguration([1, 2], expectedCount: 1)) {
      try rasteriser.frame(of: drawing, at: [1, 2])
    }
    #expect(throws: FrameError.self) { try rasteriser.frame(of: drawing, at: [.nan]) }
    #expect(throws: FrameError.invalidSize(0)) { try Rasteriser(size: 0) }
    #expect(throws: FrameError.invalidSampling(0)) {
      try Rasteriser(size: 4, sampling: .coverage(samplesPerSide: 0))
    }
    #expect(throws: FrameError.invalidDrawingParameter(name: "length of rod 2", value: -1)) {
      try PendulumDrawing(rodLengths: [1, -1])
    }
    #expect(throws: FrameError.self) { try SlidingDiscDrawing(viewHalfWidth: .infinity) }
  }

  /// ``Rasteriser/frames(of:at:)`` stacks the frames in order.
  @Test func stackOfFrames() throws {
    let drawing = try PendulumDrawing()
    let rasteriser = try Rasteriser(size: 12)
    let angles = [0.0, 1.0, -2.0]
    let stack = try rasteriser.frames(of: drawing, at: angles.map { [$0] })
    #expect(stack.count == 3 && stack.size == 12)
    for (k, angle) in angles.enumerated() {
      #expect(Array(stack.frame(k)) == (try rasteriser.frame(of: drawing, at: [angle])))
    }
  }
}
