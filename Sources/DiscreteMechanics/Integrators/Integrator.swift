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
  /// The classical order of accuracy p (global error O(hᵖ)).
  public var order: Int

  public init(name: String, isExplicit: Bool, isSymplectic: Bool, isSymmetric: Bool, order: Int) {
    self.name = name
    self.isExplicit = isExplicit
    self.isSymplectic = isSymplectic
    self.isSymmetric = isSymmetric
    self.order = order
  }

  public var description: String {
    "\(name): order \(order), \(isExplicit ? "explicit" : "implicit")"
      + (isSymplectic ? ", symplectic" : "") + (isSymmetric ? ", symmetric" : "")
  }
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
