/// A video of a system: `count` square frames of `size` × `size` pixels, each pixel's value in
/// [0, 1] (0 background, 1 the drawn system), as the pixel models read and write them.
///
/// The values are stored frame after frame, each frame row by row from the top (C order), as
/// in the NumPy array of shape `(count, size, size)` that ``NPYFile`` reads and writes.
public struct FrameStack: Equatable, Sendable {
  /// The number of frames T.
  public let count: Int
  /// The side of a frame in pixels.
  public let size: Int
  /// `count · size · size` values in [0, 1]: value `(k, row, column)` at
  /// `(k · size + row) · size + column`.
  public private(set) var values: [Float]

  /// The stack of `values` (frame after frame, row by row).
  ///
  /// - Throws: ``FrameError/invalidSize(_:)`` for a size below 1,
  ///   ``FrameError/valueCount(expected:found:)`` when `values` is not `count · size²` long
  ///   (or `count` is negative), ``FrameError/valueOutOfRange(frame:row:column:value:)`` for a
  ///   value that is not finite or lies outside [0, 1].
  public init(count: Int, size: Int, values: [Float]) throws(FrameError) {
    guard size >= 1 else { throw .invalidSize(size) }
    let (pixels, overflow) = size.multipliedReportingOverflow(by: size)
    let (expected, overflow2) = count.multipliedReportingOverflow(by: pixels)
    guard count >= 0, !overflow, !overflow2, values.count == expected else {
      throw .valueCount(expected: overflow || overflow2 ? nil : expected, found: values.count)
    }
    if let index = values.firstIndex(where: { !($0 >= 0 && $0 <= 1) }) {
      throw .valueOutOfRange(
        frame: index / pixels, row: index % pixels / size, column: index % size,
        value: Double(values[index]))
    }
    self.count = count
    self.size = size
    self.values = values
  }

  /// `count` blank frames (all values 0).
  ///
  /// - Throws: ``FrameError/invalidSize(_:)`` for a size below 1,
  ///   ``FrameError/valueCount(expected:found:)`` for a negative count or one whose values
  ///   would overflow `Int`.
  public init(blankFrames count: Int, size: Int) throws(FrameError) {
    guard size >= 1 else { throw .invalidSize(size) }
    let (pixels, overflow) = size.multipliedReportingOverflow(by: size)
    let (total, overflow2) = count.multipliedReportingOverflow(by: pixels)
    guard count >= 0, !overflow, !overflow2 else {
      throw .valueCount(expected: nil, found: 0)
    }
    self.count = count
    self.size = size
    values = [Float](repeating: 0, count: total)
  }

  /// The number of pixels of one frame, `size²`.
  public var pixelCount: Int { size * size }

  /// The value at `row`, `column` (from the top left) of frame `frame`.
  public subscript(frame: Int, row: Int, column: Int) -> Float {
    values[(frame * size + row) * size + column]
  }

  /// The values of frame `index`, row by row.
  public func frame(_ index: Int) -> ArraySlice<Float> {
    values[(index * pixelCount)..<((index + 1) * pixelCount)]
  }

  /// Replaces frame `index` with `pixels` (``pixelCount`` values, row by row).
  ///
  /// - Throws: ``FrameError/valueCount(expected:found:)`` when `pixels` has another length,
  ///   ``FrameError/valueOutOfRange(frame:row:column:value:)`` for a value outside [0, 1].
  public mutating func setFrame(_ index: Int, to pixels: [Float]) throws(FrameError) {
    guard pixels.count == pixelCount else {
      throw .valueCount(expected: pixelCount, found: pixels.count)
    }
    if let i = pixels.firstIndex(where: { !($0 >= 0 && $0 <= 1) }) {
      throw .valueOutOfRange(
        frame: index, row: i / size, column: i % size, value: Double(pixels[i]))
    }
    let start = index * pixelCount
    values.replaceSubrange(start..<(start + pixelCount), with: pixels)
  }
}
