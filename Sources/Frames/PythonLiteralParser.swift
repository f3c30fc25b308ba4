/// A Python literal as it appears in an NPY header: strings, integers, booleans, `None`,
/// tuples, lists and dictionaries with string keys.
indirect enum PythonLiteral: Equatable {
  case string(String)
  case integer(Int)
  case boolean(Bool)
  case none
  case tuple([PythonLiteral])
  case list([PythonLiteral])
  case dictionary([(key: String, value: PythonLiteral)])

  static func == (a: PythonLiteral, b: PythonLiteral) -> Bool {
    a.pythonText == b.pythonText
  }

  /// The literal as Python would print it, for messages.
  var pythonText: String {
    switch self {
    case .string(let text): return "'\(text)'"
    case .integer(let n): return "\(n)"
    case .boolean(let flag): return flag ? "True" : "False"
    case .none: return "None"
    case .tuple(let items):
      return items.count == 1
        ? "(\(items[0].pythonText),)" : "(" + items.map(\.pythonText).joined(separator: ", ") + ")"
    case .list(let items): return "[" + items.map(\.pythonText).joined(separator: ", ") + "]"
    case .dictionary(let entries):
      return "{" + entries.map { "'\($0.key)': \($0.value.pythonText)" }.joined(separator: ", ")
        + "}"
    }
  }
}

/// Reads the Python literal of an NPY header (what `ast.literal_eval` accepts there, without
/// floats, escapes or nesting deeper than ``maximumDepth``), reporting the first byte it cannot
/// read.
struct PythonLiteralParser {
  private let bytes: [UInt8]
  private var position = 0
  /// Nesting deeper than this is refused, so that a hostile header cannot exhaust the stack.
  static let maximumDepth = 32

  init(_ bytes: ArraySlice<UInt8>) { self.bytes = Array(bytes) }

  /// The one literal of the header, followed only by spaces and the final newline.
  mutating func parseHeader() throws(FrameError) -> PythonLiteral {
    let value = try parseValue(depth: 0)
    skipWhitespace()
    guard position == bytes.count else { throw unexpected("after the dictionary") }
    return value
  }

  private mutating func parseValue(depth: Int) throws(FrameError) -> PythonLiteral {
    guard depth < Self.maximumDepth else {
      throw .malformedHeader("it nests deeper than \(Self.maximumDepth) levels")
    }
    skipWhitespace()
    guard position < bytes.count else { throw .malformedHeader("it ends inside a value") }
    switch bytes[position] {
    case UInt8(ascii: "'"), UInt8(ascii: "\""): return .string(try parseString())
    case UInt8(ascii: "("):
      let (items, trailingComma) = try parseSequence(closing: ")", depth: depth)
      // `(x)` is x itself in Python; only `(x,)` is a tuple of one.
      return items.count == 1 && !trailingComma ? items[0] : .tuple(items)
    case UInt8(ascii: "["): return .list(try parseSequence(closing: "]", depth: depth).items)
    case UInt8(ascii: "{"): return try parseDictionary(depth: depth)
    case UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "0")...UInt8(ascii: "9"):
      return .integer(try parseInteger())
    default:
      for (word, value) in [
        ("True", PythonLiteral.boolean(true)), ("False", .boolean(false)),
        ("None", .none),
      ]
      where consume(word) {
        return value
      }
      throw unexpected("where a value should start")
    }
  }

  private mutating func parseString() throws(FrameError) -> String {
    let quote = bytes[position]
    position += 1
    let start = position
    while position < bytes.count, bytes[position] != quote {
      guard bytes[position] != UInt8(ascii: "\\"), bytes[position] != UInt8(ascii: "\n") else {
        throw unexpected("inside a string")
      }
      position += 1
    }
    guard position < bytes.count else { throw .malformedHeader("a string is not closed") }
    defer { position += 1 }
    return String(decoding: bytes[start..<position], as: UTF8.self)
  }

  private mutating func parseInteger() throws(FrameError) -> Int {
    let start = position
    if bytes[position] == UInt8(ascii: "-") || bytes[position] == UInt8(ascii: "+") {
      position += 1
    }
    while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position])
    {
      position += 1
    }
    let text = String(decoding: bytes[start..<position], as: UTF8.self)
    // Python 2 wrote long integers with an L.
    if position < bytes.count, bytes[position] == UInt8(ascii: "L") { position += 1 }
    guard let value = Int(text) else {
      throw .malformedHeader("'\(text)' at byte \(start) is not an integer that fits in Int")
    }
    return value
  }

  /// Items separated by commas up to `closing`, and whether a comma followed the last one.
  private mutating func parseSequence(closing: Unicode.Scalar, depth: Int) throws(FrameError)
    -> (items: [PythonLiteral], trailingComma: Bool)
  {
    position += 1
    var items: [PythonLiteral] = []
    var trailingComma = false
    while true {
      skipWhitespace()
      if consume(String(closing)) { return (items, trailingComma) }
      items.append(try parseValue(depth: depth + 1))
      skipWhitespace()
      trailingComma = consume(",")
      if !trailingComma {
        guard consume(String(closing)) else {
          throw unexpected("where ',' or '\(closing)' should be")
        }
        return (items, false)
      }
    }
  }

  private mutating func parseDictionary(depth: Int) throws(FrameError) -> PythonLiteral {
    position += 1
    var entries: [(key: String, value: PythonLiteral)] = []
    while true {
      skipWhitespace()
      if consume("}") { return .dictionary(entries) }
      guard position < bytes.count,
        bytes[position] == UInt8(ascii: "'") || bytes[position] == UInt8(ascii: "\"")
      else { throw unexpected("where a key (a string) should be") }
      let key = try parseString()
      guard !entries.contains(where: { $0.key == key }) else {
        throw .malformedHeader("the key '\(key)' appears twice")
      }
      skipWhitespace()
      guard consume(":") else { throw unexpected("where ':' should follow the key '\(key)'") }
      entries.append((key, try parseValue(depth: depth + 1)))
      skipWhitespace()
      if !consume(",") {
        guard consume("}") else { throw unexpected("where ',' or '}' should be") }
        return .dictionary(entries)
      }
    }
  }

  private mutating func skipWhitespace() {
    while position < bytes.count,
      [UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\t"), UInt8(ascii: "\r")].contains(
        bytes[position])
    {
      position += 1
    }
  }

  /// Moves past `text` if the bytes at the position spell it.
  private mutating func consume(_ text: String) -> Bool {
    let word = Array(text.utf8)
    guard position + word.count <= bytes.count,
      Array(bytes[position..<(position + word.count)]) == word
    else { return false }
    position += word.count
    return true
  }

  /// The error for the byte at the position (or the end), `context` saying what was expected.
  private func unexpected(_ context: String) -> FrameError {
    guard position < bytes.count else { return .malformedHeader("it ends \(context)") }
    let byte = bytes[position]
    let shown =
      (0x20..<0x7f).contains(byte)
      ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
    return .malformedHeader("unexpected \(shown) at header byte \(position) \(context)")
  }
}
