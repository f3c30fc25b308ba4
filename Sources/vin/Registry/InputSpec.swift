/// The inputs of a built-in system (the columns `u1, …, um` of `vin simulate --control`), as
/// `vin systems` lists them.
enum InputSpec: Sendable {
  /// No inputs (`--control` is refused).
  case none
  /// Fixed inputs, `u1` the first, each with what it is and its unit.
  case inputs([String])
  /// One input per coordinate (`harmonic`, n from q0), each what `meaning` says.
  case perCoordinate(String)

  /// The number of inputs for a system of n coordinates.
  func count(dimension n: Int) -> Int {
    switch self {
    case .none: return 0
    case .inputs(let meanings): return meanings.count
    case .perCoordinate: return n
    }
  }

  /// The lines of `vin systems` (`u1 = torque at the pivot (N m)`), or nil for none.
  var listing: [String]? {
    switch self {
    case .none: return nil
    case .inputs(let meanings):
      return meanings.enumerated().map { "u\($0.offset + 1)  \($0.element)" }
    case .perCoordinate(let meaning): return ["u1, …, un  \(meaning) (n from q0)"]
    }
  }
}
