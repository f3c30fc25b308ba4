/// An 8-bit RGB image: `height` rows of `width` pixels from the top left, three bytes a pixel.
public struct RGBImage: Equatable, Sendable {
  public let width: Int
  public let height: Int
  /// `3 · width · height` bytes: red, green, blue of pixel (row, column) at
  /// `3 (row · width + column)`.
  public private(set) var bytes: [UInt8]

  /// An image of one colour.
  ///
  /// - Throws: ``ImageError/invalidLayout(_:)`` for a side below 1 or an image too large to
  ///   count its bytes.
  public init(width: Int, height: Int, colour: RGBColour) throws(ImageError) {
    guard width >= 1, height >= 1 else {
      throw .invalidLayout("an image of \(width) × \(height) pixels has no pixels")
    }
    let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
    guard !overflow, pixels <= Int.max / 3 else {
      throw .invalidLayout("an image of \(width) × \(height) pixels is too large")
    }
    self.width = width
    self.height = height
    bytes = [UInt8](repeating: 0, count: 3 * pixels)
    for i in 0..<pixels {
      bytes[3 * i] = colour.red
      bytes[3 * i + 1] = colour.green
      bytes[3 * i + 2] = colour.blue
    }
  }

  /// The colour of pixel (row, column).
  public subscript(row: Int, column: Int) -> RGBColour {
    get {
      let i = 3 * (row * width + column)
      return RGBColour(red: bytes[i], green: bytes[i + 1], blue: bytes[i + 2])
    }
    set {
      let i = 3 * (row * width + column)
      bytes[i] = newValue.red
      bytes[i + 1] = newValue.green
      bytes[i + 2] = newValue.blue
    }
  }

  /// Paints frame `index` of `frames` with its top left at (`top`, `left`), each frame pixel a
  /// `scale` × `scale` block of `colour` blended over white by the pixel's value; the parts
  /// outside the image are left out.
  public mutating func paint(
    frame index: Int, of frames: FrameStack, top: Int, left: Int, scale: Int, colour: RGBColour
  ) {
    for row in 0..<frames.size {
      for column in 0..<frames.size {
        let shade = colour.blended(over: .white, by: frames[index, row, column])
        for y in (top + row * scale)..<(top + (row + 1) * scale) where (0..<height).contains(y) {
          for x in (left + column * scale)..<(left + (column + 1) * scale)
          where (0..<width).contains(x) {
            self[y, x] = shade
          }
        }
      }
    }
  }
}
