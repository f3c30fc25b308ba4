/// A ``LearnablePotential`` that a ``PotentialSpecification`` describes, so that models built
/// from it can be saved: the built-in potentials, and every ``RegisteredPotential``.
public protocol SpecifiedPotential: LearnablePotential {
  /// The specification that, with the dimension, rebuilds this potential's architecture.
  var specification: PotentialSpecification { get throws(LearningError) }
}

/// A ``LearnableMassMatrix`` that a ``MassSpecification`` describes.
public protocol SpecifiedMassMatrix: LearnableMassMatrix {
  var specification: MassSpecification { get throws(LearningError) }
}

/// A ``LearnableRigidBodyPotential`` that a ``PotentialSpecification`` describes.
public protocol SpecifiedRigidBodyPotential: LearnableRigidBodyPotential {
  var specification: PotentialSpecification { get }
}

/// A model that a ``ModelSpecification`` describes: what ``ModelSpecification/makeModel(generator:registry:)``
/// builds and a ``ModelFile`` saves. The VINs are specified models when their potential and
/// mass matrix are.
public protocol SpecifiedModel: RolloutModel {
  /// The specification that rebuilds this model with ``componentParameters``.
  var specification: ModelSpecification { get throws(LearningError) }
  /// The model's parameters, component by component.
  var componentParameters: ModelParameters { get }
}

// MARK: - Built-in potentials and mass matrices

extension MLPPotential: SpecifiedPotential {
  public var specification: PotentialSpecification { .mlp(network.shape.architecture) }
}

extension AngularMLPPotential: SpecifiedPotential {
  public var specification: PotentialSpecification { .angularMLP(network.shape.architecture) }
}

extension QuadraticPotential: SpecifiedPotential {
  public var specification: PotentialSpecification { .quadratic }
}

extension CosinePotential: SpecifiedPotential {
  public var specification: PotentialSpecification { .cosine }
}

extension IdentityMassMatrix: SpecifiedMassMatrix {
  public var specification: MassSpecification { .identity }
}

extension ConstantMassMatrix: SpecifiedMassMatrix {
  public var specification: MassSpecification { .constant(epsilon: epsilon) }
}

extension RigidBodyGravityPotential: SpecifiedRigidBodyPotential {
  public var specification: PotentialSpecification { .rigidBodyGravity }
}

extension RigidBodyMLPPotential: SpecifiedRigidBodyPotential {
  public var specification: PotentialSpecification { .rigidBodyMLP(network.shape.architecture) }
}

extension NetworkShape {
  /// The hidden layers, without the input and output sizes.
  var architecture: NetworkArchitecture {
    NetworkArchitecture(width: width, depth: depth, activation: activation)
  }
}

// MARK: - Models

extension VINVelocityVerlet: SpecifiedModel
where Potential: SpecifiedPotential, Mass: SpecifiedMassMatrix {}

extension VINStormerVerlet: SpecifiedModel
where Potential: SpecifiedPotential, Mass: SpecifiedMassMatrix {}

extension VINSO2: SpecifiedModel
where Potential: SpecifiedPotential, Mass: SpecifiedMassMatrix {}

extension VINMq: SpecifiedModel where Potential: SpecifiedPotential {
  public var specification: ModelSpecification {
    get throws(LearningError) {
      let mass = massArchitecture
      return ModelSpecification(
        kind: kind, dimension: configurationDimension, stepSize: stepSize,
        potential: try potential.specification,
        mass: .configuration(width: mass.width, activation: mass.activation, epsilon: mass.epsilon)
      )
    }
  }
  public var componentParameters: ModelParameters {
    ModelParameters(potential: potential.flatParameters, mass: massParameters.scalars)
  }
}

extension VINSO3: SpecifiedModel where Potential: SpecifiedRigidBodyPotential {
  public var specification: ModelSpecification {
    ModelSpecification(
      kind: kind, dimension: configurationDimension, stepSize: stepSize,
      potential: potential.specification,
      mass: .rigidBodyInertia(epsilon: epsilon, initialScale: initialInertiaScale))
  }
  public var componentParameters: ModelParameters {
    ModelParameters(potential: potential.flatParameters, mass: inertiaFactor.scalars)
  }
}

extension BaselineModel: SpecifiedModel {
  public var specification: ModelSpecification {
    ModelSpecification(
      kind: kind, dimension: configurationDimension, stepSize: stepSize,
      network: BaselineNetworkSpecification(
        network.shape.architecture, angularInputs: angularPositions, layout: observationLayout))
  }
  public var componentParameters: ModelParameters {
    ModelParameters(network: network.flatParameters)
  }
}
