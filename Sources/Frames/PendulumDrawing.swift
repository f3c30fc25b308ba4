#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A pendulum drawn as a chain of thick rods hanging from the image centre: one rod for the
/// planar pendulum, two for the double pendulum.
///
/// The configuration is the rods' angles `θᵢ` from the downward vertical (absolute angles, as
/// VINKit's `DoublePendulum` counts them), so rod i runs from the end of rod i − 1 (the origin for
/// the first) by `lᵢ (sin θᵢ, −cos θᵢ)`. It is drawn the way the VIN paper's pixel pendulum is
/// (steindoringi/Variational_Integrator_Networks, `systems.py`: a black line of 12 points at 28
/// dots per inch, 4.7 pixels of a 28-pixel frame, from the centre of the view): each rod is
/// `1/(3(n + 1))` of the frame wide (1/6 for one rod, 1/9 for two), with round ends, and the view
/// is scaled so that the chain stretched out reaches, end cap included, 15/16 of the way from the
/// centre to the frame's edge (`w (15/16 − 1/(3(n + 1))) = Σ lᵢ`). The seed's rods have square
/// ends and its view is `±(l + 0.2)` inside matplotlib's default margins; the scale here fills
/// the frame instead.
///
/// Since the view scales with the rods, a single pendulum's frames do not depend on its length.
public struct PendulumDrawing: DrawableSystem, Equatable {
  /// The rods' lengths, from the pivot outwards.
  public let rodLengths: [Double]
  public let viewHalfWidth: Double
  /// Half a rod's thickness, in the units of the lengths.
  public let rodRadius: Double

  /// The chain of rods of `rodLengths` (one length for the planar pendulum).
  ///
  /// - Throws: ``FrameError/invalidDrawingParameter(name:value:)`` for a length that is not
  ///   positive and finite, or no rod at all.
  public init(rodLengths: [Double] = [1]) throws(FrameError) {
    guard !rodLengths.isEmpty else { throw .invalidDrawingParameter(name: "rod count", value: 0) }
    for (i, length) in rodLengths.enumerated() where !(length.isFinite && length > 0) {
      throw .invalidDrawingParameter(name: "length of rod \(i + 1)", value: length)
    }
    // A rod is this fraction of the frame's width 2w thick, so its radius is this fraction of w.
    let thickness = 1 / (3 * Double(rodLengths.count + 1))
    viewHalfWidth = rodLengths.reduce(0, +) / (15.0 / 16.0 - thickness)
    rodRadius = thickness * viewHalfWidth
    self.rodLengths = rodLengths
  }

  public var coordinateCount: Int { rodLengths.count }

  public func strokes(at configuration: [Double]) -> [Stroke] {
    var joint = SIMD2<Double>(0, 0)
    var strokes: [Stroke] = []
    strokes.reserveCapacity(rodLengths.count)
    for (index, angle) in configuration.prefix(rodLengths.count).enumerated() {
      strokes.append(rod(index, from: joint, angle: angle))
      joint = strokes[index].end
    }
    return strokes
  }

  /// Rod `index` at `angle` from the downward vertical, hanging from `joint`.
  func rod(_ index: Int, from joint: SIMD2<Double>, angle: Double) -> Stroke {
    Stroke(
      from: joint, to: joint + rodLengths[index] * SIMD2(sin(angle), -cos(angle)),
      radius: rodRadius)
  }
}
