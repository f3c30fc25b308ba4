/// An integrator name `vin` knows (DESIGN §4), with what it is and what it needs; a system
/// lists which of them it supports (``SystemEntry/integrators``).
struct IntegratorDescription: Sendable {
  /// The name on the command line.
  var name: String
  /// One line on the method.
  var summary: String
  /// What a system must be for the method to apply.
  var requirement: String
}

/// The integrator names of DESIGN §4, in its order.
enum IntegratorCatalog {
  static let all: [IntegratorDescription] = [
    IntegratorDescription(
      name: "verlet", summary: "Störmer–Verlet: explicit, symplectic, symmetric, order 2",
      requirement: "a constant mass matrix on R^n"),
    IntegratorDescription(
      name: "midpoint", summary: "variational midpoint rule: implicit, symplectic, order 2",
      requirement: "a Lagrangian system on R^n"),
    IntegratorDescription(
      name: "trapezoidal", summary: "variational trapezoidal rule: implicit, symplectic, order 2",
      requirement: "a Lagrangian system on R^n"),
    IntegratorDescription(
      name: "lgvi", summary: "Lie group variational integrator: symplectic, order 2",
      requirement: "a configuration space SO(2) or SO(3)"),
    IntegratorDescription(
      name: "euler", summary: "explicit Euler: order 1, not symplectic (baseline)",
      requirement: "Hamilton's equations on R^n"),
    IntegratorDescription(
      name: "rk4", summary: "classical Runge–Kutta: order 4, not symplectic (baseline)",
      requirement: "Hamilton's equations on R^n"),
    IntegratorDescription(
      name: "rk8pd", summary: "GSL adaptive Runge–Kutta–Prince–Dormand (8, 9): reference",
      requirement: "Hamilton's equations on R^n or the rigid-body equations on SO(3)"),
  ]

  /// All names.
  static var names: [String] { all.map(\.name) }

  /// The description of integrator `name`, or `nil` for an unknown name.
  static func description(of name: String) -> IntegratorDescription? {
    all.first { $0.name == name }
  }
}
