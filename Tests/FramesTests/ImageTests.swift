import CGIF
import CPNG
import Foundation
import Testing

@testable import Frames

/// PNG strips and GIF animations: the files' signatures, and their pixels read back by libpng
/// and giflib.
struct ImageTests {
  /// Two videos of 5 frames of 6 × 6 with values 0, 1 and ½.
  func videos() throws -> (truth: FrameStack, forecast: FrameStack) {
    func video(_ offset: Int) throws -> FrameStack {
      try FrameStack(
        count: 5, size: 6, values: (0..<180).map { Float(($0 * 7 + offset) % 3) / 2 })
    }
    return (try video(0), try video(1))
  }

  @Test func pngStripDecodesToItsPixels() throws {
    let (truth, forecast) = try videos()
    let strip = try FrameStrip(
      rows: [.init(frames: truth, colour: .black), .init(frames: forecast, colour: .vermilion)],
      every: 2, scale: 3)
    #expect(strip.columnCount == 3)
    let image = try strip.image()
    // Three frames of 18 pixels a row, with separator lines of 3 pixels: 3 · 21 + 3 = 66 wide.
    #expect(image.width == 66 && image.height == 45)
    let bytes = try PNGImage.encode(image)
    #expect(Array(bytes.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    let decoded = try decodePNG(bytes)
    #expect(decoded.width == 66 && decoded.height == 45)
    #expect(decoded.pixels == image.bytes)
    // Frame 4 of the forecast is the third column of the second row; its pixel (2, 5) is the
    // forecast's value blended from white to vermilion.
    let value = forecast[4, 2, 5]
    let top = 3 + 21 + 2 * 3
    let left = 3 + 2 * 21 + 5 * 3
    let expected = RGBColour.vermilion.blended(over: .white, by: value)
    for (dy, dx) in [(0, 0), (2, 2)] {
      let i = 3 * ((top + dy) * 66 + left + dx)
      #expect(Array(decoded.pixels[i..<(i + 3)]) == [expected.red, expected.green, expected.blue])
    }
    #expect(Array(decoded.pixels[0..<3]) == [204, 204, 204])
  }

  @Test func pngWrittenToAFile() throws {
    let (truth, _) = try videos()
    let image = try FrameStrip(rows: [.init(frames: truth, colour: .black)]).image()
    let path = FileManager.default.temporaryDirectory
      .appendingPathComponent("strip-\(UUID().uuidString).png").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    try PNGImage.write(image, to: path)
    let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
    #expect(try decodePNG(bytes).pixels == image.bytes)
  }

  @Test func gifDecodesToItsFrames() throws {
    let (truth, forecast) = try videos()
    let animation = try GIFAnimation(
      panels: [.init(frames: truth, colour: .black), .init(frames: forecast, colour: .blue)],
      scale: 2, delay: 5)
    #expect(animation.width == 2 * (12 + 2) + 2 && animation.height == 12 + 4)
    let bytes = try animation.encode()
    #expect(Array(bytes.prefix(6)) == Array("GIF89a".utf8))
    #expect(bytes.last == 0x3B)  // the trailer
    let path = FileManager.default.temporaryDirectory
      .appendingPathComponent("animation-\(UUID().uuidString).gif").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    try animation.write(to: path)

    var error: Int32 = 0
    let gif = try #require(DGifOpenFileName(path, &error), "giflib error \(error)")
    defer { DGifCloseFile(gif, &error) }
    #expect(DGifSlurp(gif) == GIF_OK)
    #expect(gif.pointee.SWidth == 30 && gif.pointee.SHeight == 16)
    #expect(gif.pointee.ImageCount == 5)
    let palette = try #require(gif.pointee.SColorMap)
    func colour(_ index: UInt8) -> RGBColour {
      let c = palette.pointee.Colors[Int(index)]
      return RGBColour(red: c.Red, green: c.Green, blue: c.Blue)
    }
    var control = GraphicsControlBlock()
    for k in 0..<5 {
      let image = gif.pointee.SavedImages[k]
      #expect(DGifSavedExtensionToGCB(gif, Int32(k), &control) == GIF_OK)
      #expect(control.DelayTime == 5)
      #expect(image.ImageDesc.Width == 30 && image.ImageDesc.Height == 16)
      for (p, frames, ink) in [(0, truth, RGBColour.black), (1, forecast, .blue)] {
        for row in 0..<6 {
          for column in 0..<6 {
            let y = 2 + 2 * row + 1
            let x = 2 + p * 14 + 2 * column + 1
            let found = colour(image.RasterBits[y * 30 + x])
            // Values 0, ½ and 1 are shades 0, 63 and 126 of 127: ½ is 63/126 exactly.
            #expect(found == ink.blended(over: .white, by: frames[k, row, column]))
          }
        }
      }
      #expect(colour(image.RasterBits[0]) == .separator)
    }
    // The NETSCAPE2.0 loop extension, looping for ever, is in the file.
    let netscape = Array("NETSCAPE2.0".utf8) + [3, 1, 0, 0]
    #expect(bytes.indices.contains { bytes[$0...].starts(with: netscape) })
  }

  /// Blending is linear in the value, rounded per channel, and clamps values outside [0, 1].
  @Test func blending() {
    let ink = RGBColour.vermilion
    #expect(ink.blended(over: .white, by: 0) == .white)
    #expect(ink.blended(over: .white, by: 1) == ink)
    #expect(ink.blended(over: .white, by: 0.5) == RGBColour(red: 234, green: 175, blue: 128))
    #expect(ink.blended(over: .white, by: 7) == ink)
    #expect(ink.blended(over: .white, by: -1) == .white)
    #expect(ink.blended(over: .white, by: .nan) == .white)
  }

  @Test func badLayouts() throws {
    let (truth, _) = try videos()
    let other = try FrameStack(blankFrames: 2, size: 7)
    #expect(throws: ImageError.self) { try FrameStrip(rows: []) }
    #expect(throws: ImageError.self) {
      try FrameStrip(rows: [
        .init(frames: truth, colour: .black), .init(frames: other, colour: .blue),
      ])
    }
    #expect(throws: ImageError.self) {
      try FrameStrip(rows: [.init(frames: truth, colour: .black)], every: 0)
    }
    #expect(throws: ImageError.self) {
      try GIFAnimation(panels: [.init(frames: truth, colour: .black)], scale: 0)
    }
    #expect(throws: ImageError.self) {
      try GIFAnimation(panels: [.init(frames: truth, colour: .black)], scale: 20_000)
    }
    #expect(throws: ImageError.self) {
      try GIFAnimation(panels: [.init(frames: FrameStack(blankFrames: 0, size: 3), colour: .black)])
    }
  }

  /// libpng's reader (the CPNG shim) on `bytes`.
  func decodePNG(_ bytes: [UInt8]) throws -> (width: Int, height: Int, pixels: [UInt8]) {
    var pixels: UnsafeMutablePointer<UInt8>?
    var width: UInt32 = 0
    var height: UInt32 = 0
    var message = [CChar](repeating: 0, count: Int(CPNG_MESSAGE_LENGTH))
    let status = cpng_decode_rgb(bytes, bytes.count, &pixels, &width, &height, &message)
    defer { free(pixels) }
    try #require(status == 0, "libpng: \(PNGImage.text(message))")
    let data = try #require(pixels)
    return (
      Int(width), Int(height),
      Array(UnsafeBufferPointer(start: data, count: 3 * Int(width * height)))
    )
  }
}
