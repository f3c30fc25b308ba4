import Frames

// The one conversion between the Frames module's videos (`FrameStack`: float32 values, as NPY
// files, GIFs and PNG strips hold them) and the pixel models' (`PixelVideo`: the same values in
// double precision). Both check the frame size against `FrameStack.maximumSize`.

extension PixelVideo {
  /// The video of `frames`, each float32 value widened exactly to a double.
  /// - Throws: ``LearningError/invalidConfiguration(name:value:requirement:)`` for a stack of
  ///   no frames (a `FrameStack`'s values are already checked to lie in [0, 1]).
  public init(_ frames: FrameStack) throws(LearningError) {
    try self.init(size: frames.size, pixels: frames.values.map(Double.init))
  }
}

extension FrameStack {
  /// The frames of `video`, each value rounded to the nearest float32 (which stays in [0, 1]).
  /// - Throws: `FrameError` only if `video` breaks its own invariants; a ``PixelVideo`` has
  ///   the sizes and values a stack accepts.
  public init(_ video: PixelVideo) throws(FrameError) {
    try self.init(
      count: video.frameCount, size: video.size, values: video.pixels.map(Float.init))
  }
}
