import Manifolds

extension ObservedTrajectory {
  /// A trajectory read from the CSV layout that `vin simulate` writes:
  /// a header `t,q1,…,qn[,v1,…,vn][,extra columns…]` and one row per sample. The velocity
  /// columns are optional (all n or none); later columns such as `energy` (a simulation's) or
  /// `learned_energy` (a forecast's) are ignored, so a forecast file reads as a trajectory,
  /// except the inputs: columns `u1,…,um` after the state's (those `vin simulate --control`
  /// writes) are the trajectory's ``inputs``, u_k held from t_k to t_{k+1}.
  /// The SO(3) layout `t,R11,R12,…,R33,w1,w2,w3[,extra columns…]` (attitude row by row, body
  /// angular velocity Ω) gives a ``ObservationLayout/rigidBody`` trajectory; every R must be a
  /// rotation, `‖RᵀR − I‖_max ≤ 10⁻⁶` and `det R > 0`.
  ///
  /// Every data row has as many fields as the header (a row with one too many or too few would
  /// shift the columns), and every used field is a whole number: `Double(_:)` of the field,
  /// which must not contain a NUL byte (C's `strtod` would stop there and read `1.5\0junk`
  /// as 1.5); every t is finite.
  ///
  /// - Throws: ``LearningError/invalidCSV(line:column:detail:)`` naming the line and column
  ///   of a bad header, a row with the wrong number of fields, a non-numeric entry or an R
  ///   that is not a rotation;
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
    if header.count > 1, header[1] == "R11" {
      try self.init(rigidBodyHeader: header, lines: lines)
      return
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
    let state = 1 + n + velocityColumns
    let inputs = try Self.inputColumns(header, after: state)
    var times: [Double] = []
    var positions: [[Double]] = []
    var velocities: [[Double]] = []
    var inputRows: [[Double]] = []
    let columns = Array(header[..<state]).enumerated().map { ($1, $0) } + inputs
    for (_, values) in try Self.rows(lines, columns: columns, fieldCount: header.count) {
      times.append(values[0])
      positions.append(Array(values[1...n]))
      if velocityColumns > 0 { velocities.append(Array(values[(n + 1)..<state])) }
      if !inputs.isEmpty { inputRows.append(Array(values[state...])) }
    }
    let trajectory = try ObservedTrajectory(
      times: times, positions: positions, velocities: velocityColumns > 0 ? velocities : nil)
    self = inputs.isEmpty ? trajectory : try trajectory.withInputs(inputRows)
  }

  /// The input columns `u1,…,um` (names and indices): the run of columns from `u1` on, which
  /// must come after the state's `state` columns; none without a `u1`.
  /// - Throws: ``LearningError/invalidCSV(line:column:detail:)`` for a `u1` among the state's
  ///   columns or a `uj` without the ones before it.
  private static func inputColumns(_ header: [String], after state: Int) throws(LearningError)
    -> [(name: String, index: Int)]
  {
    guard let first = header.firstIndex(of: "u1") else {
      if let stray = header.first(where: { $0.hasPrefix("u") && Int($0.dropFirst()) != nil }) {
        throw .invalidCSV(
          line: 1, column: stray, detail: "input columns must start with 'u1' (u1,…,um)")
      }
      return []
    }
    guard first >= state else {
      throw .invalidCSV(line: 1, column: "u1", detail: "the inputs must follow the state's columns")
    }
    var columns: [(name: String, index: Int)] = []
    while first + columns.count < header.count,
      header[first + columns.count] == "u\(columns.count + 1)"
    {
      columns.append(("u\(columns.count + 1)", first + columns.count))
    }
    return columns
  }

  /// The SO(3) layout `t,R11,…,R33,w1,w2,w3[,…]`.
  private init(rigidBodyHeader header: [String], lines: [String]) throws(LearningError) {
    let expected =
      ["t"] + (1...3).flatMap { i in (1...3).map { j in "R\(i)\(j)" } } + ["w1", "w2", "w3"]
    for (c, name) in expected.enumerated() where c >= header.count || header[c] != name {
      throw .invalidCSV(
        line: 1, column: c < header.count ? header[c] : nil,
        detail:
          "expected column '\(name)' (the SO(3) layout is \(expected.joined(separator: ",")))")
    }
    var times: [Double] = []
    var attitudes: [SO3] = []
    var angularVelocities: [Vector3] = []
    let inputs = try Self.inputColumns(header, after: expected.count)
    var inputRows: [[Double]] = []
    let columns = expected.enumerated().map { ($1, $0) } + inputs
    for (line, v) in try Self.rows(lines, columns: columns, fieldCount: header.count) {
      let matrix = Matrix3(v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9])
      let defect = (matrix.transpose * matrix - Matrix3.identity).entries.map(abs).max() ?? .nan
      // NaN and infinity are reported as non-finite observations by the initialiser below.
      if v.allSatisfy(\.isFinite), !(defect <= 1e-6 && matrix.determinant > 0) {
        throw .invalidCSV(
          line: line, column: "R11",
          detail:
            "R = \(Array(v[1...9])) is not a rotation (max |RᵀR − I| = \(defect), det R = \(matrix.determinant); tolerance 1e-6)"
        )
      }
      times.append(v[0])
      attitudes.append(SO3(uncheckedMatrix: matrix))
      angularVelocities.append(Vector3(v[10], v[11], v[12]))
      if !inputs.isEmpty { inputRows.append(Array(v[expected.count...])) }
    }
    let trajectory = try ObservedTrajectory(
      times: times, attitudes: attitudes, angularVelocities: angularVelocities)
    self = inputs.isEmpty ? trajectory : try trajectory.withInputs(inputRows)
  }

  /// The non-empty data rows after the header, with their 1-based line numbers: the numbers in
  /// the fields `columns` (names and indices; the first is t) of the row's `fieldCount` fields.
  private static func rows(
    _ lines: [String], columns: [(name: String, index: Int)], fieldCount: Int
  ) throws(LearningError) -> [(line: Int, values: [Double])] {
    var rows: [(line: Int, values: [Double])] = []
    for (index, line) in lines.enumerated().dropFirst() where !line.isEmpty {
      let fields = line.split(separator: ",", omittingEmptySubsequences: false)
      guard fields.count == fieldCount else {
        // A short row names its first missing column (when that is one that is read).
        let missing = columns.first { $0.index >= fields.count }?.name
        throw .invalidCSV(
          line: index + 1, column: missing,
          detail: (missing == nil ? "" : "missing: ")
            + "the row has \(fields.count) fields, the header has \(fieldCount)")
      }
      var values: [Double] = []
      for (name, c) in columns {
        let field = fields[c].trimmingWhitespace()
        guard !field.utf8.contains(0), let value = Double(field) else {
          let shown = field.replacingNUL()
          throw .invalidCSV(line: index + 1, column: name, detail: "'\(shown)' is not a number")
        }
        values.append(value)
      }
      // The observations' NaN and infinity are reported by the trajectory's initialiser; the
      // time is checked here (a single sample at t = inf would otherwise pass).
      guard values[0].isFinite else {
        throw .invalidCSV(line: index + 1, column: "t", detail: "\(values[0]) is not a finite time")
      }
      rows.append((index + 1, values))
    }
    guard !rows.isEmpty else {
      throw .invalidCSV(line: 2, column: nil, detail: "no data rows after the header")
    }
    return rows
  }
}

extension String {
  /// The string with each NUL byte written `\0`, for messages.
  fileprivate func replacingNUL() -> String {
    String(unicodeScalars.flatMap { $0 == "\0" ? ["\\", "0"] : [$0] }.map(Character.init))
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
