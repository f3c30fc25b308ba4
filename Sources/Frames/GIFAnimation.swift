import CGIF
import FileOutput

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// An animated GIF of videos played side by side (the truth in black beside a forecast in
/// colour, say), scaled up, looping for ever; written through giflib.
///
/// GIF frame k shows frame k of every panel (white where a panel's video is shorter), with a
/// light grey line of `scale` pixels around each panel. The palette holds the separator grey
/// and, for each of the P panels, `L = ⌊255 / P⌋` shades from white to the panel's colour; a
/// pixel of value v is shade `round(v (L − 1))`, so its colour is v's to within `1/(2(L − 1))`
/// (exact for binary frames).
public struct GIFAnimation: Sendable {
  /// A video and its colour.
  public struct Panel: Sendable {
    public var frames: FrameStack
    public var colour: RGBColour

    public init(frames: FrameStack, colour: RGBColour) {
      self.frames = frames
      self.colour = colour
    }
  }

  /// The videos, left to right.
  public let panels: [Panel]
  /// Each frame pixel is `scale` × `scale` image pixels.
  public let scale: Int
  /// How long each frame is shown, in hundredths of a second.
  public let delay: Int

  /// - Throws: ``ImageError/invalidLayout(_:)`` for no panels or more than 127 (each needs two
  ///   shades of the 256 colours), panels whose frames differ in size, no frames or more than
  ///   2³¹ − 1, a scale below 1, a delay outside 0…65535, or an animation wider or taller than
  ///   GIF's 65535 pixels.
  public init(panels: [Panel], scale: Int = 1, delay: Int = 4) throws(ImageError) {
    guard let size = panels.first?.frames.size else { throw .invalidLayout("there are no panels") }
    guard panels.count <= 127 else {
      throw .invalidLayout("\(panels.count) panels do not fit in a GIF palette (127 at most)")
    }
    guard panels.allSatisfy({ $0.frames.size == size }) else {
      let sizes = panels.map { "\($0.frames.size)" }.joined(separator: ", ")
      throw .invalidLayout("the panels' frames differ in size (\(sizes) pixels)")
    }
    guard panels.contains(where: { $0.frames.count > 0 }) else {
      throw .invalidLayout("the panels hold no frames")
    }
    guard scale >= 1 else { throw .invalidLayout("the scale \(scale) is below 1") }
    guard (0...65535).contains(delay) else {
      throw .invalidLayout("the delay \(delay) is not from 0 to 65535 hundredths of a second")
    }
    guard panels.allSatisfy({ $0.frames.count <= Int(Int32.max) }) else {
      throw .invalidLayout("a GIF holds at most \(Int32.max) frames")
    }
    // Width P (S s + s) + s and height S s + 2 s for frames of S pixels at scale s.
    let side = size.multipliedReportingOverflow(by: scale)
    let panel = side.partialValue.addingReportingOverflow(scale)
    let row = panels.count.multipliedReportingOverflow(by: panel.partialValue)
    guard !side.overflow, !panel.overflow, !row.overflow, row.partialValue <= 65535 - scale,
      side.partialValue <= 65535 - 2 * scale
    else {
      throw .invalidLayout(
        "\(panels.count) panels of \(size)-pixel frames at scale \(scale) exceed GIF's 65535 pixels a side"
      )
    }
    self.panels = panels
    self.scale = scale
    self.delay = delay
    width = row.partialValue + scale
    height = side.partialValue + 2 * scale
  }

  /// The width of the animation in pixels.
  public let width: Int
  /// The height of the animation in pixels.
  public let height: Int

  /// The number of frames, that of the longest video.
  public var frameCount: Int { panels.map(\.frames.count).max() ?? 0 }

  /// The shades of each panel, `⌊255 / P⌋`.
  var shadeCount: Int { 255 / panels.count }

  /// The palette: the separator grey, then each panel's shades from white to its colour, then
  /// black up to 256 entries (GIF palettes have a power-of-two length).
  var palette: [RGBColour] {
    var colours = [RGBColour.separator]
    for panel in panels {
      for shade in 0..<shadeCount {
        colours.append(panel.colour.blended(over: .white, by: Float(shade) / Float(shadeCount - 1)))
      }
    }
    return colours + Array(repeating: .black, count: 256 - colours.count)
  }

  /// The palette index of every pixel of every frame, frame after frame, row by row.
  func indices() -> [UInt8] {
    let size = panels[0].frames.size
    let levels = Float(shadeCount - 1)
    var indices = [UInt8](repeating: 0, count: frameCount * width * height)
    for k in 0..<frameCount {
      for (p, panel) in panels.enumerated() {
        let first = 1 + p * shadeCount
        let left = scale + p * (size * scale + scale)
        for row in 0..<size {
          for column in 0..<size {
            let value = k < panel.frames.count ? panel.frames[k, row, column] : 0
            let index = UInt8(first + Int((value * levels).rounded()))
            for y in (scale + row * scale)..<(scale + (row + 1) * scale) {
              let start = (k * height + y) * width + left + column * scale
              for x in start..<(start + scale) { indices[x] = index }
            }
          }
        }
      }
    }
    return indices
  }

  /// The GIF file's bytes.
  ///
  /// - Throws: ``ImageError/encodingFailed(format:reason:)`` with giflib's reason.
  public func encode() throws(ImageError) -> [UInt8] {
    let colours = palette.flatMap { [$0.red, $0.green, $0.blue] }
    var data: UnsafeMutablePointer<UInt8>?
    var count = 0
    let status = indices().withUnsafeBufferPointer { indices in
      cgif_encode_animation(
        indices.baseAddress, Int32(width), Int32(height), Int32(frameCount), colours, 256,
        Int32(delay), &data, &count)
    }
    defer { free(data) }
    guard status == 0, let data else {
      let reason = GifErrorString(status).map { String(cString: $0) } ?? "giflib error \(status)"
      throw .encodingFailed(format: "GIF", reason: reason)
    }
    return Array(UnsafeBufferPointer(start: data, count: count))
  }

  /// Writes the animation to `path`, atomically.
  ///
  /// - Throws: ``ImageError`` as ``encode()``, or ``ImageError/output(_:)``.
  public func write(to path: String) throws(ImageError) {
    let bytes = try encode()
    do {
      try AtomicFile.write(bytes, to: path)
    } catch {
      throw .output(error)
    }
  }
}
