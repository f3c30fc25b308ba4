/// A variational integrator network: a learned Lagrangian `L_θ = T_M − V_θ` made of a learnable
/// potential and a learnable mass matrix, stepped by a variational integrator. Every VIN is
/// one: ``VINVelocityVerlet``, ``VINStormerVerlet`` and ``VINSO2`` (a ``LearnablePotential``
/// and a constant ``LearnableMassMatrix``), ``VINMq`` (a ``LearnablePotential`` and the
/// configuration-dependent ``ConfigurationMassMatrix``) and ``VINSO3`` (a
/// ``LearnableRigidBodyPotential`` and the body inertia ``RigidBodyInertia``); they differ in
/// their step and in the kinds of component they take.
///
/// A VIN's parameters are the potential's followed by the mass matrix's, and its model file
/// holds one specification and one parameter list of each: both are defined once here rather
/// than in every VIN.
public protocol PotentialMassModel: RolloutModel {
  associatedtype Potential: ParameterFlattening
  associatedtype Mass: ParameterFlattening
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

extension PotentialMassModel where Potential: PotentialComponent, Mass: MassComponent {
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
