/// What kind of method an integrator is, as in GeometricIntegrators.jl's method traits.
public struct IntegratorTraits: Hashable, Sendable, CustomStringConvertible {
  /// The method name used on the command line (`verlet`, `midpoint`, …).
  public var name: String
  /// Explicit (no equation solved per step) or implicit.
  public var isExplicit: Bool
  /// Symplectic: the one-step map preserves the canonical two-form.
  public var isSymplectic: Bool
  /// Symmetric (time-reversible): `Φ_{−h} = Φ_h⁻¹`.
  public var isSymmetric: Bool
  /// The classical order of accuracy p (global error O(hᵖ)) of the underlying formula.
  public var order: Int
  /// Adaptive: each step is split into as many sub-steps as an error tolerance needs, so the
  /// global error is set by the tolerance, not by the step size (`order` is then that of the
  /// sub-step formula and is not observed as a slope in h).
  public var isAdaptive: Bool

  public init(
    name: String, isExplicit: Bool, isSymplectic: Bool, isSymmetric: Bool, order: Int,
    isAdaptive: Bool = false
  ) {
    self.name = name
    self.isExplicit = isExplicit
    self.isSymplectic = isSymplectic
    self.isSymmetric = isSymmetric
    self.order = order
    self.isAdaptive = isAdaptive
  }

  /// The properties as a phrase, e.g. `order 2, explicit, symplectic, symmetric` (without the
  /// name).
  public var properties: String {
    "order \(order), \(isExplicit ? "explicit" : "implicit")"
      + (isSymplectic ? ", symplectic" : ", not symplectic")
      + (isSymmetric ? ", symmetric" : ", not symmetric")
      + (isAdaptive ? ", adaptive" : "")
  }

  public var description: String { "\(name): \(properties)" }
}

/// An integrator made from a system and a step size alone, whose traits are those of its type:
/// what a registry needs to build any method for any system it applies to, and to describe the
/// method before one exists.
public protocol SystemIntegrator<System>: Integrator {
  /// The system the method integrates.
  associatedtype System
  /// The traits of every integrator of this type (``Integrator/traits`` of each instance).
  static var methodTraits: IntegratorTraits { get }
  /// The method for `system` with step size `stepSize` and default settings.
  init(system: System, stepSize: Double) throws(IntegrationError)
}

extension SystemIntegrator {
  public var traits: IntegratorTraits { Self.methodTraits }
}

/// A one-step method with a fixed step size: `state ← Φ_h(state)`.
///
/// Integrators hold their system, step size and any workspace, so that `step` allocates
/// nothing on the fast paths; they are values and `step` is `mutating` (workspaces, warm starts).
public protocol Integrator<State> {
  /// The state the method advances.
  associatedtype State
  /// The step size h (> 0).
  var stepSize: Double { get }
  /// The method's traits.
  var traits: IntegratorTraits { get }
  /// Advances `state` by one step of size `stepSize`.
  mutating func step(_ state: inout State) throws(IntegrationError)
}

extension Integrator {
  /// The trajectory of `steps` steps from `initial`, recording every `stride`-th state
  /// (the initial and the final state are always recorded).
  public mutating func integrate(from initial: State, steps: Int, stride: Int = 1)
    throws(IntegrationError) -> Trajectory<State>
  {
    guard steps >= 0 else { throw .invalidStepCount(steps) }
    guard stride >= 1 else { throw .invalidStepCount(stride) }
    var trajectory = Trajectory<State>(times: [0], states: [initial])
    trajectory.times.reserveCapacity(steps / stride + 2)
    trajectory.states.reserveCapacity(steps / stride + 2)
    var state = initial
    for k in 0..<steps {
      do throws(IntegrationError) {
        try step(&state)
      } catch {
        throw error.at(step: k)
      }
      if (k + 1) % stride == 0 || k + 1 == steps {
        trajectory.times.append(Double(k + 1) * stepSize)
        trajectory.states.append(state)
      }
    }
    return trajectory
  }
}

/// Times and states of a computed solution.
public struct Trajectory<State> {
  /// `t_k`, starting at 0.
  public var times: [Double]
  /// The state at each time.
  public var states: [State]

  public init(times: [Double], states: [State]) {
    self.times = times
    self.states = states
  }
}

extension Trajectory: Sendable where State: Sendable {}

/// Checks shared by all integrators' initialisers.
enum StepSize {
  /// Throws unless `h` is finite and positive.
  static func validate(_ h: Double) throws(IntegrationError) {
    guard h.isFinite, h > 0 else { throw .invalidStepSize(h) }
  }
}
