import CPNG
import FileOutput

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// PNG files of ``RGBImage``s (8-bit RGB, no alpha), through libpng's simplified API (see the
/// CPNG target's README for how libpng's `longjmp` error path is kept out of Swift).
public enum PNGImage {
  /// The PNG file's bytes (PNG is limited to images of at most 2³¹ − 1 pixels a side).
  ///
  /// - Throws: ``ImageError/invalidLayout(_:)`` for an image larger than PNG allows,
  ///   ``ImageError/encodingFailed(format:reason:)`` with libpng's reason.
  public static func encode(_ image: RGBImage) throws(ImageError) -> [UInt8] {
    guard image.width <= Int(Int32.max), image.height <= Int(Int32.max) else {
      throw .invalidLayout("PNG images have at most 2147483647 pixels a side")
    }
    var data: UnsafeMutablePointer<UInt8>?
    var count = 0
    var message = [CChar](repeating: 0, count: Int(CPNG_MESSAGE_LENGTH))
    let status = image.bytes.withUnsafeBufferPointer { pixels in
      cpng_encode_rgb(
        pixels.baseAddress, UInt32(image.width), UInt32(image.height), &data, &count, &message)
    }
    defer { free(data) }
    guard status == 0, let data else {
      throw .encodingFailed(format: "PNG", reason: Self.text(message))
    }
    return Array(UnsafeBufferPointer(start: data, count: count))
  }

  /// Writes `image` to `path` as a PNG file, atomically.
  ///
  /// - Throws: ``ImageError`` as ``encode(_:)``, or ``ImageError/output(_:)``.
  public static func write(_ image: RGBImage, to path: String) throws(ImageError) {
    let bytes = try encode(image)
    do {
      try AtomicFile.write(bytes, to: path)
    } catch {
      throw .output(error)
    }
  }

  /// The C string in `message`.
  static func text(_ message: [CChar]) -> String {
    String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }
}
