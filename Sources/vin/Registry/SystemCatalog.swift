/// The built-in systems of `vin simulate` and `vin systems`, in the order of DESIGN §4.
enum SystemCatalog {
  static let all: [SystemEntry] = [
    .pendulum, .harmonic, .kepler, .henonHeiles, .doublePendulum, .cartPole, .rigidBody,
    .heavyTop,
  ]

  /// All names.
  static var names: [String] { all.map(\.name) }

  /// The system `name`.
  ///
  /// - Throws: ``CommandError/unknownSystem(_:known:)`` listing the built-in systems.
  static func entry(named name: String) throws(CommandError) -> SystemEntry {
    guard let entry = all.first(where: { $0.name == name }) else {
      throw .unknownSystem(name, known: names)
    }
    return entry
  }
}
