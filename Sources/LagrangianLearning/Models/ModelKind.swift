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
