/// A physical parameter of a built-in system, settable with `--param NAME=VALUE`.
struct ParameterSpec: Sendable {
  /// The name on the command line (`m`, `g`, `J1`, …).
  var name: String
  /// The value used when none is given.
  var defaultValue: Double
  /// What it is, with its unit where the system has one.
  var meaning: String
}
