import Manifolds

/// An explicit Runge–Kutta method given by its Butcher tableau, applied to Hamilton's equations.
///
/// Provided as non-geometric baselines: ``explicitEuler(system:stepSize:)`` (order 1) and
/// ``classicalRK4(system:stepSize:)`` (order 4). Neither is symplectic or symmetric, so energy
/// drifts over long times (Hairer, Lubich, Wanner 2006, §I.2). With forces (``holdInput(_:)``,
/// ``init(system:stepSize:tableau:forces:)``) the field's u is held over each step, so the step
/// integrates a smooth field and keeps its order.
public struct ExplicitRungeKutta<System: LagrangianSystem>: Integrator {
  public let stepSize: Double
  public let traits: IntegratorTraits
  public private(set) var field: HamiltonianVectorField<System>
  /// Butcher tableau: stage coefficients `a` (strictly lower triangular) and weights `b`.
  public let a: [[Double]]
  public let b: [Double]

  public init(
    system: System, stepSize: Double, name: String, order: Int, a: [[Double]], b: [Double]
  )
    throws(IntegrationError)
  {
    try StepSize.validate(stepSize)
    self.stepSize = stepSize
    self.field = HamiltonianVectorField(system: system)
    self.traits = IntegratorTraits(
      name: name, isExplicit: true, isSymplectic: false, isSymmetric: false, order: order)
    self.a = a
    self.b = b
  }

  /// The method of `Tableau`.
  public init<Tableau: ButcherTableau>(system: System, stepSize: Double, tableau: Tableau.Type)
    throws(IntegrationError)
  {
    try self.init(
      system: system, stepSize: stepSize, name: Tableau.traits.name, order: Tableau.traits.order,
      a: Tableau.a, b: Tableau.b)
  }

  /// The method of `Tableau` with the non-conservative `forces`, the input held at zero.
  /// - Throws: as ``init(system:stepSize:tableau:)`` and
  ///   ``HamiltonianVectorField/init(system:forces:)``.
  public init<Tableau: ButcherTableau>(
    system: System, stepSize: Double, tableau: Tableau.Type, forces: any GeneralisedForce
  ) throws(IntegrationError) {
    try self.init(system: system, stepSize: stepSize, tableau: tableau)
    field = try HamiltonianVectorField(system: system, forces: forces)
  }

  /// Holds `u` over the following steps.
  /// - Throws: as ``ForcedIntegrator/holdInput(_:)``.
  public mutating func holdInput(_ u: [Double]) throws(IntegrationError) {
    try field.holdInput(u)
  }

  /// Explicit Euler, `x_{k+1} = x_k + h f(x_k)`.
  public static func explicitEuler(system: System, stepSize: Double) throws(IntegrationError)
    -> Self
  {
    try Self(system: system, stepSize: stepSize, tableau: ExplicitEulerTableau.self)
  }

  /// The classical fourth-order Runge–Kutta method.
  public static func classicalRK4(system: System, stepSize: Double) throws(IntegrationError) -> Self
  {
    try Self(system: system, stepSize: stepSize, tableau: ClassicalRK4Tableau.self)
  }

  public mutating func step(_ state: inout PhaseState) throws(IntegrationError) {
    let n = field.system.dimension
    let x = state.flattened
    var k: [[Double]] = []
    for stage in b.indices {
      var y = x
      for (j, aij) in a[stage].enumerated() where aij != 0 {
        for i in y.indices { y[i] += stepSize * aij * k[j][i] }
      }
      k.append(try field(y))
    }
    var next = x
    for (stage, weight) in b.enumerated() {
      for i in next.indices { next[i] += stepSize * weight * k[stage][i] }
    }
    guard next.allSatisfy(\.isFinite) else { throw .nonFiniteState(step: nil) }
    state.q = Array(next[0..<n])
    state.p = Array(next[n..<(2 * n)])
  }
}

/// The Butcher tableau of an explicit Runge–Kutta method, as a type, so that the method's
/// traits are known from its type (``TableauRungeKutta``).
public protocol ButcherTableau: Sendable {
  /// The method's traits (explicit, neither symplectic nor symmetric, its order).
  static var traits: IntegratorTraits { get }
  /// The stage coefficients `a` (strictly lower triangular, row i has i entries).
  static var a: [[Double]] { get }
  /// The weights `b`.
  static var b: [Double] { get }
}

/// Explicit Euler: `a = [[]]`, `b = [1]`, order 1.
public enum ExplicitEulerTableau: ButcherTableau {
  public static var traits: IntegratorTraits {
    IntegratorTraits(
      name: "euler", isExplicit: true, isSymplectic: false, isSymmetric: false, order: 1)
  }
  public static var a: [[Double]] { [[]] }
  public static var b: [Double] { [1] }
}

/// The classical fourth-order Runge–Kutta method (Hairer, Nørsett, Wanner, *Solving Ordinary
/// Differential Equations I*, 1993, §II.1, Table 1.2).
public enum ClassicalRK4Tableau: ButcherTableau {
  public static var traits: IntegratorTraits {
    IntegratorTraits(
      name: "rk4", isExplicit: true, isSymplectic: false, isSymmetric: false, order: 4)
  }
  public static var a: [[Double]] { [[], [0.5], [0, 0.5], [0, 0, 1]] }
  public static var b: [Double] { [1.0 / 6, 1.0 / 3, 1.0 / 3, 1.0 / 6] }
}

/// The ``ExplicitRungeKutta`` method of a fixed tableau: a ``SystemIntegrator`` whose traits are
/// the tableau's.
public struct TableauRungeKutta<System: LagrangianSystem, Tableau: ButcherTableau>:
  SystemIntegrator
{
  /// The method, with `Tableau`'s coefficients.
  public private(set) var method: ExplicitRungeKutta<System>

  public static var methodTraits: IntegratorTraits { Tableau.traits }
  public var stepSize: Double { method.stepSize }

  public init(system: System, stepSize: Double) throws(IntegrationError) {
    method = try ExplicitRungeKutta(system: system, stepSize: stepSize, tableau: Tableau.self)
  }

  public mutating func step(_ state: inout PhaseState) throws(IntegrationError) {
    try method.step(&state)
  }
}

extension TableauRungeKutta: ForcedIntegrator {
  public init(system: System, stepSize: Double, forces: any GeneralisedForce)
    throws(IntegrationError)
  {
    method = try ExplicitRungeKutta(
      system: system, stepSize: stepSize, tableau: Tableau.self, forces: forces)
  }

  public var inputCount: Int { method.field.forces?.inputCount ?? 0 }
  public var input: [Double] { method.field.input }

  public mutating func holdInput(_ u: [Double]) throws(IntegrationError) {
    try method.holdInput(u)
  }
}

/// Explicit Euler as a ``SystemIntegrator``.
public typealias ExplicitEuler<System: LagrangianSystem> =
  TableauRungeKutta<System, ExplicitEulerTableau>
/// The classical Runge–Kutta method as a ``SystemIntegrator``.
public typealias ClassicalRK4<System: LagrangianSystem> =
  TableauRungeKutta<System, ClassicalRK4Tableau>
