import ArgumentParser

/// `--q0` and `--v0` of `vin simulate` (optional: each system has defaults; `vin forecast`
/// declares its own, with `--q0` required).
///
/// They are comma-separated lists, parsed unconditionally so that `--q0 -0.1,0.1` is a value and
/// not an option; they are checked against the system once it is known.
struct InitialConditionOptions: ParsableArguments {
  @Option(
    name: .customLong("q0"), parsing: .unconditional,
    help: ArgumentHelp(
      "Initial configuration, comma-separated (SO(3): a rotation vector).",
      valueName: "x,y,..."))
  var position: String?

  @Option(
    name: .customLong("v0"), parsing: .unconditional,
    help: ArgumentHelp(
      "Initial velocity, comma-separated (SO(3): body angular velocity Ω).",
      valueName: "x,y,..."))
  var velocity: String?
}
