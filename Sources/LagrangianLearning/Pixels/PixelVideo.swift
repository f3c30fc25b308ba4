import Frames

/// A video of square grey-scale frames held in memory: T frames of `size × size` intensities in
/// [0, 1] (0 background, 1 ink), the observations a ``PixelModel`` learns from.
///
/// The frames are stored back to back, each row-major: pixel (row r, column c) of frame t is
/// `pixels[(t · size + r) · size + c]`. Binary frames (a rod drawn in ink) and anti-aliased ones
/// are both allowed; the pixel models read each intensity y as the probability of a Bernoulli
/// pixel.
public struct PixelVideo: Equatable, Sendable {
  /// The side of a frame in pixels.
  public let size: Int
  /// All intensities, frame after frame, each frame row-major.
  public let pixels: [Double]

  /// A video of `size × size` frames from their intensities back to back.
  /// - Throws: ``LearningError/invalidConfiguration(name:value:requirement:)`` for a size
  ///   below 1 or above `FrameStack.maximumSize` (the Frames module's, one limit for both), for an empty video, or naming the frame and pixel of an
  ///   intensity that is NaN or outside [0, 1]; ``LearningError/dimensionMismatch(name:expected:actual:)``
  ///   unless the number of intensities is a multiple of `size²`.
  public init(size: Int, pixels: [Double]) throws(LearningError) {
    try ModelLimits.check(size, in: 1...FrameStack.maximumSize, field: "frame size")
    let area = size * size
    guard !pixels.isEmpty else {
      throw .invalidConfiguration(
        name: "video", value: "0 frames", requirement: "must have at least one frame")
    }
    guard pixels.count % area == 0 else {
      throw .dimensionMismatch(
        name: "pixels of \(size)×\(size) frames", expected: (pixels.count / area + 1) * area,
        actual: pixels.count)
    }
    if let index = pixels.firstIndex(where: { !($0 >= 0 && $0 <= 1) }) {
      throw .invalidConfiguration(
        name: "frame \(index / area), pixel (\(index % area / size), \(index % size))",
        value: "\(pixels[index])", requirement: "must be an intensity in [0, 1]")
    }
    self.size = size
    self.pixels = pixels
  }

  /// A video from its frames, each `size × size` intensities row-major.
  /// - Throws: ``LearningError/dimensionMismatch(name:expected:actual:)`` naming a frame of the
  ///   wrong length; as ``init(size:pixels:)``.
  public init(size: Int, frames: [[Double]]) throws(LearningError) {
    for (t, frame) in frames.enumerated() where frame.count != size * size {
      throw .dimensionMismatch(
        name: "pixels of frame \(t)", expected: size * size, actual: frame.count)
    }
    try self.init(size: size, pixels: frames.flatMap { $0 })
  }

  /// The number of pixels of a frame, `size²`.
  public var frameArea: Int { size * size }

  /// The number T of frames.
  public var frameCount: Int { pixels.count / frameArea }

  /// Frame t's intensities, row-major.
  public func frame(_ t: Int) -> ArraySlice<Double> {
    pixels[(t * frameArea)..<((t + 1) * frameArea)]
  }

  /// The first `count` frames.
  /// - Throws: ``LearningError/notEnoughData(detail:)`` when the video has fewer.
  public func prefix(_ count: Int) throws(LearningError) -> PixelVideo {
    guard count >= 1, count <= frameCount else {
      throw .notEnoughData(
        detail: "asked for the first \(count) frames of a video of \(frameCount)")
    }
    return try PixelVideo(size: size, pixels: Array(pixels[..<(count * frameArea)]))
  }
}
