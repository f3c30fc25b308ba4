/// Which energy the last column of a trajectory file holds, named so that a reader can tell
/// (DESIGN §4): `energy` is the true system's `E(q, p)` (`vin simulate`), `learned_energy` the
/// fitted model's `Ê = ½ vᵀM̂v + V̂(q)` (`vin forecast`, `vin evaluate`), which is determined only
/// up to an additive constant (and, with a learned mass, a scale).
enum EnergyColumn: String, Sendable {
  case system = "energy"
  case learned = "learned_energy"
}
