import Foundation
import Testing

@testable import Frames

/// The `.npy` files: the bytes `numpy.save` writes, a round trip, and one error per malformed
/// file.
struct NPYFileTests {
  /// Three frames of 28 × 28 with distinct values.
  func sampleFrames(count: Int = 3, size: Int = 28) throws -> FrameStack {
    let n = count * size * size
    return try FrameStack(
      count: count, size: size, values: (0..<n).map { Float($0 % 97) / 96 })
  }

  @Test func headerIsWhatNumPyWrites() throws {
    let bytes = NPYFile.encode(try sampleFrames())
    // numpy 2.4: np.save(f, np.zeros((3, 28, 28), '<f4')) starts with these 128 bytes.
    let dictionary = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 28, 28), }"
    let expected =
      [0x93] + Array("NUMPY".utf8) + [1, 0, 118, 0] + Array(dictionary.utf8)
      + Array(repeating: UInt8(ascii: " "), count: 128 - 10 - dictionary.utf8.count - 1) + [0x0a]
    #expect(Array(bytes[0..<128]) == expected)
    #expect(bytes.count == 128 + 4 * 3 * 28 * 28)
    // The data: little-endian float32, C order: value (k, i, j) at 128 + 4 ((k · 28 + i) · 28 + j).
    let frames = try sampleFrames()
    let offset = 128 + 4 * ((2 * 28 + 5) * 28 + 7)
    let bits =
      UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8
      | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
    #expect(Float(bitPattern: bits) == frames[2, 5, 7])
  }

  @Test(arguments: [(1, 1), (3, 28), (12345, 4), (2, 64)])
  func headerIsAlignedAndPadded(count: Int, size: Int) throws {
    let header = NPYHeader(descr: "<f4", fortranOrder: false, shape: [count, size, size])
    let bytes = header.encodedVersion1()
    // numpy pads to a multiple of 64 bytes, leaving room for the first axis to grow to 21
    // digits: 128 bytes for every shape of three small axes.
    #expect(bytes.count == 128)
    #expect(bytes.last == 0x0a)
    #expect(Int(bytes[8]) | Int(bytes[9]) << 8 == bytes.count - 10)
    let (read, offset) = try NPYHeader.read(bytes)
    #expect(read == header)
    #expect(offset == 128)
  }

  @Test func roundTrip() throws {
    let frames = try sampleFrames()
    #expect(try NPYFile.decode(NPYFile.encode(frames)) == frames)
    #expect(try NPYFile.decode(NPYFile.encode(frames), expectedSize: 28) == frames)
  }

  @Test func roundTripThroughAFile() throws {
    let frames = try sampleFrames(count: 5, size: 9)
    let path = FileManager.default.temporaryDirectory
      .appendingPathComponent("frames-\(UUID().uuidString).npy").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    try NPYFile.write(frames, to: path)
    #expect(try NPYFile.read(path) == frames)
  }

  /// numpy.load reads the file as the same array (when python3 with numpy is installed).
  @Test(.enabled(if: NumPy.isAvailable)) func numpyLoadsTheFile() throws {
    let frames = try sampleFrames(count: 4, size: 6)
    let path = FileManager.default.temporaryDirectory
      .appendingPathComponent("frames-\(UUID().uuidString).npy").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    try NPYFile.write(frames, to: path)
    let output = try NumPy.run(
      "import numpy as np; a = np.load('\(path)'); "
        + "print(a.dtype, a.shape, a.flags['C_CONTIGUOUS'], repr(float(a[3, 5, 4])), repr(float(a.sum())))"
    )
    let sum = frames.values.reduce(Float(0), +)
    let words = output.split(separator: " ")
    #expect(words[0] == "float32")
    #expect(words[1...3].joined(separator: " ") == "(4, 6, 6)")
    #expect(words[4] == "True")
    #expect(Double(words[5]) == Double(frames[3, 5, 4]))
    #expect(abs((Double(words[6]) ?? .nan) - Double(sum)) < 1e-3)
  }

  /// Frames numpy wrote (float64, then float32) decode to the same values.
  @Test(.enabled(if: NumPy.isAvailable)) func readsWhatNumPyWrites() throws {
    let path = FileManager.default.temporaryDirectory
      .appendingPathComponent("numpy-\(UUID().uuidString).npy").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    for dtype in ["float64", "float32"] {
      _ = try NumPy.run(
        "import numpy as np; np.save('\(path)', (np.arange(2 * 3 * 3).reshape(2, 3, 3) / 17).astype('\(dtype)'))"
      )
      let frames = try NPYFile.read(path)
      #expect(frames.count == 2 && frames.size == 3)
      #expect(frames[1, 2, 1] == Float(Double(16) / 17))
    }
  }

  // MARK: Malformed files

  /// The file of `frames` with its header dictionary replaced by `dictionary` (re-padded).
  func file(dictionary: String, body: [UInt8]) -> [UInt8] {
    var text = dictionary
    while (10 + text.utf8.count + 1) % 64 != 0 { text += " " }
    text += "\n"
    let length = text.utf8.count
    return NPYHeader.magic + [1, 0, UInt8(length & 0xff), UInt8(length >> 8)] + Array(text.utf8)
      + body
  }

  func error(decoding bytes: [UInt8], expectedSize: Int? = nil) -> FrameError? {
    do {
      _ = try NPYFile.decode(bytes, expectedSize: expectedSize)
      return nil
    } catch {
      return error
    }
  }

  @Test func badMagicAndVersion() throws {
    var bytes = NPYFile.encode(try sampleFrames())
    #expect(error(decoding: Array("PK\u{3}\u{4}zipfile".utf8)) == .notNPY)
    #expect(error(decoding: []) == .notNPY)
    bytes[6] = 4
    #expect(error(decoding: bytes) == .unsupportedVersion(major: 4, minor: 0))
    bytes[6] = 1
    bytes[7] = 1
    #expect(error(decoding: bytes) == .unsupportedVersion(major: 1, minor: 1))
  }

  @Test func malformedHeaders() throws {
    let body = [UInt8](repeating: 0, count: 4)
    let cases = [
      "{'descr': '<f4', 'fortran_order': False}",  // no shape
      "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1), 'extra': 1}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1)",  // not closed
      "{'descr': '<f4' 'fortran_order': False, 'shape': (1, 1, 1)}",  // no comma
      "{'descr': '<f4', 'fortran_order': 0, 'shape': (1, 1, 1)}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': [1, 1, 1]}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (1, -1, 1)}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1)} trailing",
      "['descr', '<f4']",
      "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1)}",
    ]
    for dictionary in cases {
      let problem = error(decoding: file(dictionary: dictionary, body: body))
      guard case .malformedHeader? = problem else {
        Issue.record("\(dictionary): \(String(describing: problem))")
        continue
      }
    }
    // A header length beyond the end of the file.
    var bytes = NPYFile.encode(try sampleFrames(count: 1, size: 1))
    bytes[9] = 0x7f
    guard case .malformedHeader? = error(decoding: bytes) else {
      Issue.record("a header longer than the file was read")
      return
    }
    // A well-formed header with the keys in another order and a one-tuple elsewhere is read.
    let reordered = file(
      dictionary: "{\"shape\": (1, 1, 1,), 'fortran_order': False, 'descr': '<f4', }", body: body)
    #expect(try NPYFile.decode(reordered).count == 1)
  }

  @Test func dtypes() throws {
    let body = [UInt8](repeating: 0, count: 8)
    for dtype in ["<i4", ">f4", "|u1", "<f2", "<c8"] {
      let bytes = file(
        dictionary: "{'descr': '\(dtype)', 'fortran_order': False, 'shape': (1, 1, 1), }",
        body: body)
      #expect(error(decoding: bytes) == .unsupportedDType(dtype))
      #expect(FrameError.unsupportedDType(dtype).description.contains("'\(dtype)'"))
    }
    let structured = file(
      dictionary: "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1, 1, 1), }",
      body: body)
    #expect(error(decoding: structured) == .unsupportedDType("[('a', '<f4')]"))
    // Float64 is read and rounded to float32.
    let third = (1.0 / 3).bitPattern
    let float64 = file(
      dictionary: "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1, 1), }",
      body: (0..<8).map { UInt8(truncatingIfNeeded: third >> (8 * UInt64($0))) })
    #expect(try NPYFile.decode(float64).values == [Float(1.0 / 3)])
  }

  @Test func layoutAndShape() throws {
    func header(_ fortran: String, _ shape: String) -> String {
      "{'descr': '<f4', 'fortran_order': \(fortran), 'shape': \(shape), }"
    }
    let body = [UInt8](repeating: 0, count: 4 * 2 * 3 * 3)
    #expect(
      error(decoding: file(dictionary: header("True", "(2, 3, 3)"), body: body)) == .fortranOrder)
    #expect(
      error(decoding: file(dictionary: header("False", "(18,)"), body: body)) == .wrongRank([18]))
    #expect(
      error(decoding: file(dictionary: header("False", "(6, 3)"), body: body))
        == .wrongRank([6, 3]))
    #expect(
      error(decoding: file(dictionary: header("False", "(1, 2, 3, 3)"), body: body))
        == .wrongRank([1, 2, 3, 3]))
    #expect(
      error(decoding: file(dictionary: header("False", "(3, 2, 3)"), body: body))
        == .nonSquareFrames(height: 2, width: 3))
    #expect(
      error(decoding: file(dictionary: header("False", "(2, 3, 3)"), body: body), expectedSize: 28)
        == .sizeMismatch(expected: 28, found: 3))
    #expect(
      error(decoding: file(dictionary: header("False", "(2, 0, 0)"), body: [])) == .invalidSize(0))
  }

  @Test func truncatedAndTrailingBodies() throws {
    let bytes = NPYFile.encode(try sampleFrames())
    #expect(
      error(decoding: Array(bytes.dropLast(5)))
        == .truncatedBody(expectedBytes: 4 * 3 * 28 * 28, foundBytes: 4 * 3 * 28 * 28 - 5))
    #expect(
      error(decoding: Array(bytes[0..<128])) == .truncatedBody(expectedBytes: 9408, foundBytes: 0))
    #expect(error(decoding: bytes + [0, 0]) == .trailingBytes(2))
    // A shape whose byte count overflows Int is truncated, not a crash.
    let huge = file(
      dictionary:
        "{'descr': '<f4', 'fortran_order': False, 'shape': (9223372036854775807, 4, 4), }",
      body: [])
    #expect(error(decoding: huge) == .truncatedBody(expectedBytes: Int.max, foundBytes: 0))
  }

  @Test func valuesOutsideTheUnitInterval() throws {
    for (value, index) in [(Float.nan, 0), (Float.infinity, 5), (1.5, 9408 / 4 - 1), (-0.25, 100)] {
      var bytes = NPYFile.encode(try sampleFrames())
      let bits = value.bitPattern
      for j in 0..<4 {
        bytes[128 + 4 * index + j] = UInt8(truncatingIfNeeded: bits >> (8 * UInt32(j)))
      }
      let problem = try #require(error(decoding: bytes))
      guard case .valueOutOfRange(let frame, let row, let column, let found) = problem else {
        Issue.record("\(value): \(problem)")
        continue
      }
      #expect((frame * 28 + row) * 28 + column == index)
      #expect(found.isNaN ? value.isNaN : found == Double(value))
    }
  }

  @Test func unreadableFileNamesThePath() {
    #expect(throws: FrameFileError.self) { try NPYFile.read("/nonexistent/frames.npy") }
    do {
      _ = try NPYFile.read("/nonexistent/frames.npy")
    } catch {
      #expect(error.description.contains("/nonexistent/frames.npy"))
      #expect(error.reason != nil)
    }
  }
}

/// python3 with numpy, when installed, to check files against `numpy.load` itself.
enum NumPy {
  static let isAvailable: Bool = (try? run("import numpy")) != nil

  /// Runs `python3 -c script` and returns its standard output; throws when it fails.
  static func run(_ script: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw CocoaError(.executableLoad) }
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
  }
}
