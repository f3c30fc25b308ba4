import VINKit

extension SystemEntry {
  /// The free rigid body on SO(3) (``FreeRigidBody``), principal moments of inertia J1, J2, J3.
  static let rigidBody = SystemEntry(
    name: "rigid-body", configuration: "SO(3) (attitude R, body angular velocity Ω)",
    lagrangian: "½ Ωᵀ J Ω, J = diag(J1, J2, J3)",
    parameters: [
      ParameterSpec(name: "J1", defaultValue: 1, meaning: "principal moment of inertia"),
      ParameterSpec(name: "J2", defaultValue: 2, meaning: "principal moment of inertia"),
      ParameterSpec(name: "J3", defaultValue: 3, meaning: "principal moment of inertia"),
      ParameterSpec(name: "damping", defaultValue: 0, meaning: "body damping b (torque −b Ω)"),
    ],
    inputs: .inputs([
      "torque about body axis 1", "torque about body axis 2", "torque about body axis 3",
    ]),
    dimension: 3, initialConditionMeaning: ("rotation vector", "body angular velocity Ω"),
    defaultPosition: [0, 0, 0], defaultVelocity: [0.05, 1, 0.05],
    integrators: [
      IntegratorEntry(SO3LGVI<FreeRigidBody>.self, makeFreeBody),
      IntegratorEntry(RigidBodyReferenceSolver<FreeRigidBody>.self, makeFreeBody),
    ]
  )

  private static func makeFreeBody(_ setup: SimulationSetup) throws(IntegrationError)
    -> FreeRigidBody
  {
    try FreeRigidBody(
      inertia: Matrix3(
        diagonal: Vector3(setup.parameter("J1"), setup.parameter("J2"), setup.parameter("J3"))),
      damping: setup.parameter("damping"))
  }
}
