/// The kinds of dynamics model, by their command-line names.
public enum ModelKind: String, Codable, Sendable, CaseIterable {
  /// Variational integrator network, velocity Verlet on `(q, q̇)`.
  case vinVelocityVerlet = "vin-vv"
  /// Variational integrator network, two-step Störmer–Verlet on positions only.
  case vinStormerVerlet = "vin-sv"
  /// Variational integrator network on SO(3), the Lie group variational integrator.
  case vinSO3 = "vin-so3"
  /// Variational integrator network on the circle: the two-step SO(2) LGVI on angles only.
  case vinSO2 = "vin-so2"
  /// Variational integrator network with a learned mass matrix M(q), implicit midpoint DEL.
  case vinMq = "vin-mq"
  /// Residual network `x + h f(x)` on `x = (q, q̇)`.
  case residualNetwork = "resnet"
  /// Plain feed-forward map `x ↦ f(x)` on `x = (q, q̇)`.
  case feedForward = "feedforward"
}

extension ModelKind {
  /// Whether the kind is a baseline network rather than a VIN.
  public var isBaseline: Bool { self == .residualNetwork || self == .feedForward }

  /// Whether models of the kind learn non-conservative forces (``ForceSpecification``): vin-vv
  /// and vin-mq (`F = B u − D q̇`) and vin-so3 (the body torque `τ = B u − D Ω`). A baseline
  /// takes its inputs through its network instead (``BaselineNetworkSpecification/inputs``).
  public var learnsForces: Bool { self == .vinVelocityVerlet || self == .vinMq || self == .vinSO3 }

  /// Whether models of the kind are trained on velocities as well as positions (`(q, q̇)` or
  /// `(R, Ω)`), when the kind decides it: true for vin-vv, vin-so3 and the baselines, false for
  /// vin-sv and vin-so2; `nil` for vin-mq, which observes either
  /// (``ModelSpecification/observesVelocities``).
  public var observesVelocities: Bool? {
    switch self {
    case .vinMq: nil
    case .vinStormerVerlet, .vinSO2: false
    case .vinVelocityVerlet, .vinSO3, .residualNetwork, .feedForward: true
    }
  }

  /// Whether the kind's steps solve an equation for the next configuration: vin-mq (the
  /// implicit midpoint rule, Newton's method per window), vin-so3 (the LGVI's 3-vector root) and
  /// vin-so2 (`sin Δ = s`, no root when `|s| > 1`). During training a learned model can have no
  /// root in some window, and the loss is then NaN (the rollouts' documentation says how).
  public var hasImplicitSteps: Bool { self == .vinMq || self == .vinSO3 || self == .vinSO2 }

  /// The dimension the kind's configuration space fixes (1 for the circle, 3 for SO(3)), `nil`
  /// for the kinds on Rⁿ.
  public var fixedDimension: Int? {
    switch self {
    case .vinSO2: 1
    case .vinSO3: 3
    default: nil
    }
  }

  /// The configuration space in words.
  public var configurationSpaceName: String {
    switch self {
    case .vinSO2: "the circle SO(2)"
    case .vinSO3: "the rotation group SO(3)"
    default: "Rⁿ"
    }
  }

  /// The mass matrix the kind always learns, with hidden layers of `width` units and
  /// `activation` where it is a network (vin-mq's M(q); vin-so3's inertia `J = sI`, s =
  /// `initialInertiaScale`), or `nil` for the kinds that take a constant mass matrix of your
  /// choice (identity, constant or registered) and for the baselines.
  public func learnedMass(width: Int, activation: Activation, initialInertiaScale: Double = 1)
    -> MassSpecification?
  {
    switch self {
    case .vinMq: .configuration(width: width, activation: activation)
    case .vinSO3: .rigidBodyInertia(initialScale: initialInertiaScale)
    default: nil
    }
  }

  /// The layouts of the trajectories that models of the kind learn from: a rigid body's
  /// `(R, Ω)` for vin-so3, coordinates for the other VINs, either for the baselines (each
  /// baseline model is built for one, ``BaselineNetworkSpecification/layout``).
  public var observationLayouts: [ObservationLayout] {
    switch self {
    case .vinSO3: [.rigidBody]
    case .residualNetwork, .feedForward: [.coordinates, .rigidBody]
    default: [.coordinates]
    }
  }
}
