/// The trained values of a model, component by component, in the layout of each component's
/// ``ParameterFlattening/flatParameters``: with a ``ModelSpecification`` they determine the
/// model exactly. A VIN has `potential` and `mass` (VIN-SO(3): the six entries
/// `(L11, L21, L22, L31, L32, L33)` of its inertia factor as `mass`), and `forces` when it is
/// forced or damped; a baseline has `network`.
public struct ModelParameters: Codable, Hashable, Sendable {
  public var potential: [Double]
  public var mass: [Double]
  public var forces: [Double]
  public var network: [Double]

  public init(
    potential: [Double] = [], mass: [Double] = [], forces: [Double] = [], network: [Double] = []
  ) {
    self.potential = potential
    self.mass = mass
    self.forces = forces
    self.network = network
  }

  enum CodingKeys: String, CodingKey {
    case potential, mass, forces, network
  }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    potential = try container.decodeIfPresent([Double].self, forKey: .potential) ?? []
    mass = try container.decodeIfPresent([Double].self, forKey: .mass) ?? []
    forces = try container.decodeIfPresent([Double].self, forKey: .forces) ?? []
    network = try container.decodeIfPresent([Double].self, forKey: .network) ?? []
  }

  /// Writes the non-empty lists only.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    for (key, values) in [
      (CodingKeys.potential, potential), (.mass, mass), (.forces, forces), (.network, network),
    ]
    where !values.isEmpty {
      try container.encode(values, forKey: key)
    }
  }
}
