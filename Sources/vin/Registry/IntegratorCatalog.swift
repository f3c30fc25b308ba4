import VINKit

/// The integrator names `vin` knows (DESIGN §4), with a title and what a system must be for
/// the method to apply; everything else said about a method (order, explicit, symplectic,
/// symmetric, adaptive) is its ``IntegratorTraits``, read from the systems' entries.
struct IntegratorDescription: Sendable {
  /// The name on the command line (``IntegratorTraits/name``).
  var name: String
  /// What the method is called.
  var title: String
  /// What a system must be for the method to apply.
  var requirement: String
}

/// The integrator names of DESIGN §4, in its order.
enum IntegratorCatalog {
  static let all: [IntegratorDescription] = [
    IntegratorDescription(
      name: "verlet", title: "Störmer–Verlet", requirement: "a constant mass matrix on R^n"),
    IntegratorDescription(
      name: "midpoint", title: "variational midpoint rule",
      requirement: "a Lagrangian system on R^n"),
    IntegratorDescription(
      name: "trapezoidal", title: "variational trapezoidal rule",
      requirement: "a Lagrangian system on R^n"),
    IntegratorDescription(
      name: "lgvi", title: "Lie group variational integrator",
      requirement: "a configuration space SO(2) or SO(3)"),
    IntegratorDescription(
      name: "euler", title: "explicit Euler (baseline)", requirement: "Hamilton's equations on R^n"),
    IntegratorDescription(
      name: "rk4", title: "classical Runge–Kutta (baseline)",
      requirement: "Hamilton's equations on R^n"),
    IntegratorDescription(
      name: "rk8pd", title: "GSL's adaptive Prince–Dormand (8, 9), the reference",
      requirement: "Hamilton's equations on R^n or the rigid-body equations on SO(3)"),
  ]

  /// All names.
  static var names: [String] { all.map(\.name) }

  /// The description of integrator `name`, or `nil` for an unknown name.
  static func description(of name: String) -> IntegratorDescription? {
    all.first { $0.name == name }
  }

  /// The distinct traits of integrator `name` over the built-in systems, each with the systems
  /// whose entries have them, in the order of ``SystemCatalog`` (one element unless the method
  /// differs by configuration space, as the LGVI, explicit on SO(2) and implicit on SO(3)).
  static func traits(of name: String) -> [(traits: IntegratorTraits, systems: [String])] {
    var variants: [(traits: IntegratorTraits, systems: [String])] = []
    for system in SystemCatalog.all {
      for entry in system.integrators where entry.name == name {
        if let index = variants.firstIndex(where: { $0.traits == entry.traits }) {
          variants[index].systems.append(system.name)
        } else {
          variants.append((entry.traits, [system.name]))
        }
      }
    }
    return variants
  }
}
