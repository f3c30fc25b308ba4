import VINKit

extension SystemEntry {
  /// The heavy top on SO(3) (``HeavyTop``): a rigid body about a fixed pivot in gravity.
  static let heavyTop = SystemEntry(
    name: "heavy-top", configuration: "SO(3) (attitude R, body angular velocity Ω)",
    lagrangian: "½ Ωᵀ J Ω − m g e_zᵀ R ρ, J = diag(J1, J2, J3) about the pivot",
    parameters: [
      ParameterSpec(
        name: "J1", defaultValue: 0.13, meaning: "moment of inertia about the pivot (kg m²)"),
      ParameterSpec(
        name: "J2", defaultValue: 0.28, meaning: "moment of inertia about the pivot (kg m²)"),
      ParameterSpec(
        name: "J3", defaultValue: 0.17, meaning: "moment of inertia about the pivot (kg m²)"),
      ParameterSpec(name: "m", defaultValue: 1, meaning: "mass (kg)"),
      ParameterSpec(name: "g", defaultValue: 9.81, meaning: "gravitational acceleration (m/s²)"),
      ParameterSpec(
        name: "rho1", defaultValue: 0, meaning: "pivot → centre of mass, body frame (m)"),
      ParameterSpec(
        name: "rho2", defaultValue: 0, meaning: "pivot → centre of mass, body frame (m)"),
      ParameterSpec(
        name: "rho3", defaultValue: 0.3, meaning: "pivot → centre of mass, body frame (m)"),
      ParameterSpec(
        name: "damping", defaultValue: 0, meaning: "damping at the pivot b (torque −b Ω, N m s)"),
    ],
    inputs: .inputs([
      "torque about body axis 1 (N m)", "torque about body axis 2 (N m)",
      "torque about body axis 3 (N m)",
    ]),
    dimension: 3, initialConditionMeaning: ("rotation vector", "body angular velocity Ω"),
    defaultPosition: [0.5, 0, 0], defaultVelocity: [0, 0, 10],
    integrators: [
      IntegratorEntry(SO3LGVI<HeavyTop>.self, makeHeavyTop),
      IntegratorEntry(RigidBodyReferenceSolver<HeavyTop>.self, makeHeavyTop),
    ]
  )

  private static func makeHeavyTop(_ setup: SimulationSetup) throws(IntegrationError) -> HeavyTop {
    try HeavyTop(
      inertia: Matrix3(
        diagonal: Vector3(setup.parameter("J1"), setup.parameter("J2"), setup.parameter("J3"))),
      mass: setup.parameter("m"), gravity: setup.parameter("g"),
      centreOfMass: Vector3(
        setup.parameter("rho1"), setup.parameter("rho2"), setup.parameter("rho3")),
      damping: setup.parameter("damping"))
  }
}
