/// A VIN of the Lagrangian `L_θ = ½ q̇ᵀ M_θ q̇ − V_θ(q)` with a learnable potential and a
/// learnable constant mass matrix: ``VINVelocityVerlet``, ``VINStormerVerlet`` and ``VINSO2``,
/// which differ only in their step.
///
/// Such a model's parameters are the potential's followed by the mass matrix's, and its model
/// file holds one specification of each: both are defined once here rather than in every VIN.
public protocol PotentialMassModel: RolloutModel {
  associatedtype Potential: LearnablePotential
  associatedtype Mass: LearnableMassMatrix
  var potential: Potential { get set }
  var mass: Mass { get set }
}

extension PotentialMassModel {
  public var parameterCount: Int { potential.parameterCount + mass.parameterCount }

  /// The potential's parameters, then the mass matrix's.
  public var flatParameters: [Double] {
    get { potential.flatParameters + mass.flatParameters }
    set {
      potential.flatParameters = Array(newValue[..<potential.parameterCount])
      mass.flatParameters = Array(newValue[potential.parameterCount...])
    }
  }
}

extension PotentialMassModel where Potential: SpecifiedPotential, Mass: SpecifiedMassMatrix {
  public var specification: ModelSpecification {
    get throws(LearningError) {
      ModelSpecification(
        kind: kind, dimension: configurationDimension, stepSize: stepSize,
        potential: try potential.specification, mass: try mass.specification)
    }
  }

  public var componentParameters: ModelParameters {
    ModelParameters(potential: potential.flatParameters, mass: mass.flatParameters)
  }
}
