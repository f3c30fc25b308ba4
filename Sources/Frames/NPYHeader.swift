/// The header of a NumPy `.npy` file: the dictionary `{'descr': …, 'fortran_order': …,
/// 'shape': (…), }` that follows the magic string, the version and the header length.
///
/// The format is NumPy's (NEP 1, "A Simple File Format for NumPy Arrays";
/// `numpy.lib.format`): bytes 0–5 `\x93NUMPY`, bytes 6–7 the version (major, minor), then the
/// header length, a little-endian `UInt16` in version 1.0 and a `UInt32` in versions 2.0 and 3.0,
/// then the header: a Python literal dictionary, padded with spaces and ended by a newline so
/// that the data start at a multiple of 64 bytes.
struct NPYHeader: Equatable {
  /// The dtype's string, e.g. `<f4` for little-endian float32.
  var descr: String
  /// Whether the array is stored column-major.
  var fortranOrder: Bool
  /// The array's shape.
  var shape: [Int]

  /// The magic string that starts every `.npy` file.
  static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)
  /// NumPy aligns the data to this many bytes (`numpy.lib.format.ARRAY_ALIGN`).
  static let alignment = 64
  /// NumPy leaves room for the first axis to grow to this many digits
  /// (`numpy.lib.format.GROWTH_AXIS_MAX_DIGITS`), so that an array can be appended to in place.
  static let growthAxisDigits = 21

  /// The header of a C-order array of `descr` with `shape`, as version 1.0 bytes: the magic
  /// string, the version, the length and the dictionary padded as `numpy.save` pads it (spaces
  /// for the first axis to grow to ``growthAxisDigits`` digits, then to the ``alignment``).
  func encodedVersion1() -> [UInt8] {
    var dictionary =
      "{'descr': '\(descr)', 'fortran_order': \(fortranOrder ? "True" : "False"), 'shape': \(Self.pythonTuple(shape)), }"
    let firstAxis = fortranOrder ? shape.last : shape.first
    if let firstAxis {
      dictionary += String(
        repeating: " ", count: max(0, Self.growthAxisDigits - "\(firstAxis)".count))
    }
    let prefixLength = Self.magic.count + 2 + 2
    let unpadded = prefixLength + dictionary.utf8.count + 1
    let padding = Self.alignment - unpadded % Self.alignment
    let text = dictionary + String(repeating: " ", count: padding) + "\n"
    let length = UInt16(text.utf8.count)
    return Self.magic + [1, 0, UInt8(length & 0xff), UInt8(length >> 8)] + Array(text.utf8)
  }

  /// Python's `repr` of a tuple of integers: `(3,)` for one element, `(3, 28, 28)` for three.
  static func pythonTuple(_ values: [Int]) -> String {
    values.count == 1
      ? "(\(values[0]),)" : "(" + values.map(String.init).joined(separator: ", ") + ")"
  }

  /// Reads the header at the start of `bytes`; the second value is the offset of the data.
  ///
  /// - Throws: ``FrameError/notNPY`` without the magic string,
  ///   ``FrameError/unsupportedVersion(major:minor:)``, ``FrameError/malformedHeader(_:)`` for a
  ///   header cut short, not a dictionary, or without exactly the keys `descr`, `fortran_order`
  ///   and `shape` (a string, a boolean and a tuple of non-negative integers).
  static func read(_ bytes: [UInt8]) throws(FrameError) -> (header: NPYHeader, dataOffset: Int) {
    guard bytes.count >= magic.count, Array(bytes[0..<magic.count]) == magic else {
      throw .notNPY
    }
    guard bytes.count >= 8 else { throw .malformedHeader("the file ends before the version") }
    let (major, minor) = (bytes[6], bytes[7])
    let lengthBytes: Int
    switch (major, minor) {
    case (1, 0): lengthBytes = 2
    case (2, 0), (3, 0): lengthBytes = 4
    default: throw .unsupportedVersion(major: major, minor: minor)
    }
    let start = 8 + lengthBytes
    guard bytes.count >= start else {
      throw .malformedHeader("the file ends before the header length")
    }
    var length = 0
    for i in (0..<lengthBytes).reversed() { length = length << 8 | Int(bytes[8 + i]) }
    guard bytes.count >= start + length else {
      throw .malformedHeader(
        "the header length is \(length) bytes but the file ends \(bytes.count - start) bytes after it starts"
      )
    }
    var parser = PythonLiteralParser(bytes[start..<(start + length)])
    let value = try parser.parseHeader()
    return (try header(from: value), start + length)
  }

  /// The header from the parsed dictionary, its keys and their types checked.
  private static func header(from value: PythonLiteral) throws(FrameError) -> NPYHeader {
    guard case .dictionary(let entries) = value else {
      throw .malformedHeader("it is not a dictionary")
    }
    let keys = entries.map(\.key)
    let expected = ["descr", "fortran_order", "shape"]
    guard keys.sorted() == expected else {
      let found = keys.map { "'\($0)'" }.joined(separator: ", ")
      throw .malformedHeader("its keys are {\(found)}, not 'descr', 'fortran_order' and 'shape'")
    }
    let fields = Dictionary(entries.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
    let descr: String
    switch fields["descr"] {
    case .string(let text)?: descr = text
    case let other?: throw .unsupportedDType(other.pythonText)
    case nil: throw .malformedHeader("no 'descr'")
    }
    guard case .boolean(let fortranOrder)? = fields["fortran_order"] else {
      throw .malformedHeader("'fortran_order' is not True or False")
    }
    guard case .tuple(let items)? = fields["shape"] else {
      throw .malformedHeader("'shape' is not a tuple")
    }
    var shape: [Int] = []
    for item in items {
      guard case .integer(let n) = item, n >= 0 else {
        throw .malformedHeader("'shape' holds \(item.pythonText), not a non-negative integer")
      }
      shape.append(n)
    }
    return NPYHeader(descr: descr, fortranOrder: fortranOrder, shape: shape)
  }
}
