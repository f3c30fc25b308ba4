extension ObservedTrajectory {
  /// A trajectory read from the CSV layout that `vin simulate` writes:
  /// a header `t,q1,…,qn[,v1,…,vn][,extra columns…]` and one row per sample. The velocity
  /// columns are optional (all n or none); later columns such as `energy` are ignored.
  ///
  /// - Throws: ``LearningError/invalidCSV(line:column:detail:)`` naming the line and column
  ///   of a bad header, a missing field or a non-numeric entry;
  ///   ``LearningError/nonFiniteObservation(trajectory:sample:value:)`` for NaN or infinity.
  public init(csv text: String) throws(LearningError) {
    let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
      .map { $0.trimmingWhitespace() }
    guard let headerLine = lines.first, !headerLine.isEmpty else {
      throw .invalidCSV(line: 1, column: nil, detail: "the file is empty; expected a header t,q1,…")
    }
    let header = headerLine.split(separator: ",", omittingEmptySubsequences: false)
      .map { $0.trimmingWhitespace() }
    guard header[0] == "t" else {
      throw .invalidCSV(line: 1, column: header[0], detail: "the first column must be 't'")
    }
    var n = 0
    while n + 1 < header.count, header[n + 1] == "q\(n + 1)" { n += 1 }
    guard n >= 1 else {
      throw .invalidCSV(
        line: 1, column: header.count > 1 ? header[1] : nil,
        detail: "expected column 'q1' after 't'")
    }
    var velocityColumns = 0
    while 1 + n + velocityColumns < header.count,
      header[1 + n + velocityColumns] == "v\(velocityColumns + 1)"
    {
      velocityColumns += 1
    }
    guard velocityColumns == 0 || velocityColumns == n else {
      throw .invalidCSV(
        line: 1, column: "v\(velocityColumns + 1)",
        detail: "missing: there are \(n) q columns, so there must be \(n) v columns or none")
    }
    let used = Array(header[..<(1 + n + velocityColumns)])
    var times: [Double] = []
    var positions: [[Double]] = []
    var velocities: [[Double]] = []
    for (index, line) in lines.enumerated().dropFirst() where !line.isEmpty {
      let fields = line.split(separator: ",", omittingEmptySubsequences: false)
      var values: [Double] = []
      for (c, name) in used.enumerated() {
        guard c < fields.count else {
          throw .invalidCSV(
            line: index + 1, column: name, detail: "missing (the row has \(fields.count) fields)")
        }
        let field = fields[c].trimmingWhitespace()
        guard let value = Double(field) else {
          throw .invalidCSV(line: index + 1, column: name, detail: "'\(field)' is not a number")
        }
        values.append(value)
      }
      times.append(values[0])
      positions.append(Array(values[1...n]))
      if velocityColumns > 0 { velocities.append(Array(values[(n + 1)...])) }
    }
    guard !times.isEmpty else {
      throw .invalidCSV(line: 2, column: nil, detail: "no data rows after the header")
    }
    try self.init(
      times: times, positions: positions, velocities: velocityColumns > 0 ? velocities : nil)
  }
}

extension StringProtocol {
  func trimmingWhitespace() -> String {
    var slice = Substring(self)
    while let first = slice.first, first.isWhitespace { slice.removeFirst() }
    while let last = slice.last, last.isWhitespace { slice.removeLast() }
    return String(slice)
  }
}
