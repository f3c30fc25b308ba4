/// A VIN's potential that a ``PotentialSpecification`` describes, so that the models built
/// with it can be saved: ``SpecifiedPotential`` on coordinates, ``SpecifiedRigidBodyPotential``
/// on SO(3).
public protocol PotentialComponent: ParameterFlattening, Sendable {
  /// The specification that, with the dimension, rebuilds this potential's architecture.
  var specification: PotentialSpecification { get throws(LearningError) }
}

/// A VIN's mass matrix that a ``MassSpecification`` describes: the constant
/// ``SpecifiedMassMatrix``es, ``ConfigurationMassMatrix`` and ``RigidBodyInertia``.
public protocol MassComponent: ParameterFlattening, Sendable {
  /// The specification that, with the dimension, rebuilds this mass matrix's architecture.
  var specification: MassSpecification { get throws(LearningError) }
}

/// A ``LearnablePotential`` that a ``PotentialSpecification`` describes: the built-in
/// potentials, and every ``RegisteredPotential``.
public protocol SpecifiedPotential: LearnablePotential, PotentialComponent {}

/// A constant ``LearnableMassMatrix`` that a ``MassSpecification`` describes.
public protocol SpecifiedMassMatrix: LearnableMassMatrix, MassComponent {}

/// A ``LearnableRigidBodyPotential`` that a ``PotentialSpecification`` describes.
public protocol SpecifiedRigidBodyPotential: LearnableRigidBodyPotential, PotentialComponent {}

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

extension VINMq: SpecifiedModel where Potential: SpecifiedPotential {}

extension VINSO3: SpecifiedModel where Potential: SpecifiedRigidBodyPotential {}

extension ConfigurationMassMatrix: MassComponent {
  public var specification: MassSpecification {
    .configuration(width: width, activation: activation, epsilon: epsilon)
  }
}

extension RigidBodyInertia: MassComponent {
  public var specification: MassSpecification {
    .rigidBodyInertia(epsilon: epsilon, initialScale: initialScale)
  }
}

extension BaselineModel: SpecifiedModel {
  public var specification: ModelSpecification {
    ModelSpecification(
      kind: kind, dimension: configurationDimension, stepSize: stepSize,
      network: BaselineNetworkSpecification(
        network.shape.architecture, angularInputs: angularPositions, layout: observationLayout,
        inputs: inputCount))
  }
  public var componentParameters: ModelParameters {
    ModelParameters(network: network.flatParameters)
  }
}
