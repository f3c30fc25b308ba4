/// Videos laid out as a picture: one row per video, every k-th frame side by side, each video in
/// its colour over white, the frames separated by light grey lines. This is how the VIN paper
/// shows a pixel forecast against the truth (the truth in black, a forecast in colour, one
/// frame in k), and what ``PNGImage`` writes.
public struct FrameStrip: Sendable {
  /// A video and its colour.
  public struct Row: Sendable {
    public var frames: FrameStack
    public var colour: RGBColour

    public init(frames: FrameStack, colour: RGBColour) {
      self.frames = frames
      self.colour = colour
    }
  }

  /// The videos, top to bottom.
  public let rows: [Row]
  /// Frames 0, k, 2k, … are shown.
  public let every: Int
  /// Each frame pixel is `scale` × `scale` image pixels.
  public let scale: Int

  /// - Throws: ``ImageError/invalidLayout(_:)`` for no rows, no frames, rows of different frame
  ///   sizes, `every` or `scale` below 1.
  public init(rows: [Row], every: Int = 1, scale: Int = 1) throws(ImageError) {
    guard let size = rows.first?.frames.size else { throw .invalidLayout("there are no rows") }
    guard rows.allSatisfy({ $0.frames.size == size }) else {
      let sizes = rows.map { "\($0.frames.size)" }.joined(separator: ", ")
      throw .invalidLayout("the rows' frames differ in size (\(sizes) pixels)")
    }
    guard rows.contains(where: { $0.frames.count > 0 }) else {
      throw .invalidLayout("the rows hold no frames")
    }
    guard every >= 1 else { throw .invalidLayout("one frame in \(every) cannot be shown") }
    guard scale >= 1 else { throw .invalidLayout("the scale \(scale) is below 1") }
    self.rows = rows
    self.every = every
    self.scale = scale
  }

  /// The number of frames shown in a row: those of the longest video, one in ``every``.
  public var columnCount: Int {
    let longest = rows.map(\.frames.count).max() ?? 0
    return (longest + every - 1) / every
  }

  /// The picture: frames of `size · scale` pixels with a separator line of `scale` pixels
  /// around each. A row with fewer frames than the longest leaves white space.
  ///
  /// - Throws: ``ImageError/invalidLayout(_:)`` for a picture too large to hold in memory.
  public func image() throws(ImageError) -> RGBImage {
    let side = rows[0].frames.size * scale
    let (width, overflow1) = columnCount.multipliedReportingOverflow(by: side + scale)
    let (height, overflow2) = rows.count.multipliedReportingOverflow(by: side + scale)
    guard !overflow1, !overflow2 else {
      throw .invalidLayout("\(rows.count) rows of \(columnCount) frames are too large")
    }
    var image = try RGBImage(width: width + scale, height: height + scale, colour: .separator)
    for (r, row) in rows.enumerated() {
      for c in 0..<columnCount {
        let top = scale + r * (side + scale)
        let left = scale + c * (side + scale)
        let index = c * every
        if index < row.frames.count {
          image.paint(
            frame: index, of: row.frames, top: top, left: left, scale: scale, colour: row.colour)
        } else {
          for y in top..<(top + side) {
            for x in left..<(left + side) { image[y, x] = .white }
          }
        }
      }
    }
    return image
  }
}
