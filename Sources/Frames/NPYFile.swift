import FileOutput

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Frames as NumPy `.npy` files: a float32 array of shape `(frames, size, size)` in C order,
/// which `numpy.load` reads.
///
/// ``encode(_:)`` writes what `numpy.save` writes for such an array: the version 1.0 header
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (T, S, S), }`, padded as NumPy pads it
/// (room for the first axis to grow to 21 digits, then spaces up to a multiple of 64 bytes, NEP
/// 1's alignment), then the values as little-endian IEEE 754 binary32.
/// ``decode(_:expectedSize:)`` reads versions 1.0, 2.0 and 3.0 and accepts float64 (`<f8`) as
/// well, rounding each value to the nearest float32 once it has been checked to lie in [0, 1];
/// every other dtype, byte order or layout is refused with a ``FrameError`` naming it.
public enum NPYFile {
  /// The bytes of the `.npy` file of `frames`.
  public static func encode(_ frames: FrameStack) -> [UInt8] {
    let header = NPYHeader(
      descr: "<f4", fortranOrder: false, shape: [frames.count, frames.size, frames.size])
    var bytes = header.encodedVersion1()
    bytes.reserveCapacity(bytes.count + 4 * frames.values.count)
    for value in frames.values {
      let bits = value.bitPattern
      bytes.append(UInt8(truncatingIfNeeded: bits))
      bytes.append(UInt8(truncatingIfNeeded: bits >> 8))
      bytes.append(UInt8(truncatingIfNeeded: bits >> 16))
      bytes.append(UInt8(truncatingIfNeeded: bits >> 24))
    }
    return bytes
  }

  /// The frames in the bytes of a `.npy` file.
  ///
  /// - Parameters:
  ///   - bytes: the whole file.
  ///   - expectedSize: the frame size the caller needs (a model's), or nil for any.
  /// - Throws: ``FrameError`` naming the first problem: ``FrameError/notNPY``,
  ///   ``FrameError/unsupportedVersion(major:minor:)``, ``FrameError/malformedHeader(_:)``,
  ///   ``FrameError/unsupportedDType(_:)``, ``FrameError/fortranOrder``,
  ///   ``FrameError/wrongRank(_:)``, ``FrameError/nonSquareFrames(height:width:)``,
  ///   ``FrameError/invalidSize(_:)`` (frames of 0 pixels),
  ///   ``FrameError/sizeMismatch(expected:found:)``,
  ///   ``FrameError/truncatedBody(expectedBytes:foundBytes:)``,
  ///   ``FrameError/trailingBytes(_:)``, ``FrameError/valueOutOfRange(frame:row:column:value:)``.
  public static func decode(_ bytes: [UInt8], expectedSize: Int? = nil) throws(FrameError)
    -> FrameStack
  {
    let (header, offset) = try NPYHeader.read(bytes)
    let itemSize: Int
    switch header.descr {
    case "<f4": itemSize = 4
    case "<f8": itemSize = 8
    default: throw .unsupportedDType(header.descr)
    }
    guard !header.fortranOrder else { throw .fortranOrder }
    guard header.shape.count == 3 else { throw .wrongRank(header.shape) }
    let (count, height, width) = (header.shape[0], header.shape[1], header.shape[2])
    guard height == width else { throw .nonSquareFrames(height: height, width: width) }
    guard width >= 1 else { throw .invalidSize(width) }
    if let expectedSize, expectedSize != width {
      throw .sizeMismatch(expected: expectedSize, found: width)
    }
    let (pixels, overflow1) = width.multipliedReportingOverflow(by: width)
    let (values, overflow2) = count.multipliedReportingOverflow(by: pixels)
    let (dataBytes, overflow3) = values.multipliedReportingOverflow(by: itemSize)
    let found = bytes.count - offset
    guard !overflow1, !overflow2, !overflow3, found >= dataBytes else {
      throw .truncatedBody(
        expectedBytes: overflow1 || overflow2 || overflow3 ? Int.max : dataBytes,
        foundBytes: found)
    }
    guard found == dataBytes else { throw .trailingBytes(found - dataBytes) }
    var frames = [Float](repeating: 0, count: values)
    for i in 0..<values {
      let start = offset + i * itemSize
      var bits: UInt64 = 0
      for j in (0..<itemSize).reversed() { bits = bits << 8 | UInt64(bytes[start + j]) }
      let value = itemSize == 4 ? Double(Float(bitPattern: UInt32(bits))) : Double(bitPattern: bits)
      guard value >= 0, value <= 1 else {
        throw .valueOutOfRange(
          frame: i / pixels, row: i % pixels / width, column: i % width, value: value)
      }
      frames[i] = Float(value)
    }
    return try FrameStack(count: count, size: width, values: frames)
  }

  /// Reads the frames of the `.npy` file at `path`.
  ///
  /// - Throws: ``FrameFileError`` with the system's reason when the file cannot be read, or with
  ///   the ``FrameError`` of ``decode(_:expectedSize:)``.
  public static func read(_ path: String, expectedSize: Int? = nil) throws(FrameFileError)
    -> FrameStack
  {
    let bytes = try readBytes(path)
    do {
      return try decode(bytes, expectedSize: expectedSize)
    } catch {
      throw FrameFileError(path: path, problem: error)
    }
  }

  /// Writes `frames` to `path` atomically (see `AtomicFile`).
  public static func write(_ frames: FrameStack, to path: String) throws(FileWriteError) {
    try AtomicFile.write(encode(frames), to: path)
  }

  /// The whole file at `path`.
  static func readBytes(_ path: String) throws(FrameFileError) -> [UInt8] {
    guard let file = fopen(path, "rb") else {
      throw FrameFileError(path: path, reason: String(cString: strerror(errno)))
    }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let read = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
      bytes.append(contentsOf: chunk[0..<read])
      if read < chunk.count {
        if ferror(file) != 0 {
          throw FrameFileError(path: path, reason: String(cString: strerror(errno)))
        }
        return bytes
      }
    }
  }
}
