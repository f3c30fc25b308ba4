/// A variational integrator network: a learned Lagrangian `L_θ = T_M − V_θ` made of a learnable
/// potential and a learnable mass matrix, stepped by a variational integrator. Every VIN is
/// one: ``VINVelocityVerlet``, ``VINStormerVerlet`` and ``VINSO2`` (a ``LearnablePotential``
/// and a constant ``LearnableMassMatrix``), ``VINMq`` (a ``LearnablePotential`` and the
/// configuration-dependent ``ConfigurationMassMatrix``) and ``VINSO3`` (a
/// ``LearnableRigidBodyPotential`` and the body inertia ``RigidBodyInertia``); they differ in
/// their step and in the kinds of component they take.
///
/// A driven or damped system's VIN also has non-conservative ``forces`` (``LearnableForce``,
/// entering its step through the discrete Lagrange–d'Alembert principle); a VIN that declares
/// none has ``NoForce``.
///
/// A VIN's parameters are the potential's, then the mass matrix's, then the forces', and its
/// model file holds one specification and one parameter list of each: both are defined once
/// here rather than in every VIN.
public protocol PotentialMassModel: RolloutModel {
  associatedtype Potential: ParameterFlattening
  associatedtype Mass: ParameterFlattening
  associatedtype Forces: LearnableForce = NoForce
  var potential: Potential { get set }
  var mass: Mass { get set }
  var forces: Forces { get set }
}

extension PotentialMassModel where Forces == NoForce {
  /// A conservative VIN's forces: none.
  public var forces: NoForce {
    get { NoForce() }
    set {}
  }
}

extension PotentialMassModel {
  public var parameterCount: Int {
    potential.parameterCount + mass.parameterCount + forces.parameterCount
  }

  /// The potential's parameters, then the mass matrix's, then the forces'.
  public var flatParameters: [Double] {
    get { potential.flatParameters + mass.flatParameters + forces.flatParameters }
    set {
      let p = potential.parameterCount
      let m = mass.parameterCount
      potential.flatParameters = Array(newValue[..<p])
      mass.flatParameters = Array(newValue[p..<(p + m)])
      forces.flatParameters = Array(newValue[(p + m)...])
    }
  }

  /// The number m of inputs, the forces'.
  public var inputCount: Int { forces.inputCount }
}

extension PotentialMassModel where Potential: PotentialComponent, Mass: MassComponent {
  public var specification: ModelSpecification {
    get throws(LearningError) {
      ModelSpecification(
        kind: kind, dimension: configurationDimension, stepSize: stepSize,
        potential: try potential.specification, mass: try mass.specification,
        forces: forces.specification,
        observesVelocities: kind.observesVelocities == nil && observesVelocities)
    }
  }

  public var componentParameters: ModelParameters {
    ModelParameters(
      potential: potential.flatParameters, mass: mass.flatParameters,
      forces: forces.flatParameters)
  }
}
