import Frames

/// A built-in system of `vin simulate`: its name and description, parameters with defaults,
/// default initial condition and integrator, the integrators it supports, and how `vin render`
/// draws it.
///
/// Adding a system is one entry (a file in `Registry/Systems/` and a line in ``SystemCatalog``);
/// adding an integrator to a system is one element of ``integrators``, an
/// ``IntegratorEntry`` made from the integrator's type; drawing a system is its ``drawing``, a
/// `DrawableSystem` of the Frames module.
struct SystemEntry: Sendable {
  /// Makes the drawing of a system from its setup (its parameters and q0).
  typealias DrawingBuilder = @Sendable (SimulationSetup) throws(FrameError) -> any DrawableSystem

  /// The name on the command line.
  let name: String
  /// The configuration space and coordinates, e.g. `R² (position)`.
  let configuration: String
  /// The Lagrangian, as text.
  let lagrangian: String
  /// The parameters settable with `--param`.
  let parameters: [ParameterSpec]
  /// The inputs `--control` drives (the columns u1…um).
  let inputs: InputSpec
  /// The number of q0 (and v0) entries, or `nil` when it is taken from q0.
  let dimension: Int?
  /// What q0 and v0 are, when not coordinates and their velocities (SO(3)).
  let initialConditionMeaning: (position: String, velocity: String)?
  /// q0 when none is given.
  let defaultPosition: [Double]
  /// v0 when none is given; `nil` for zero velocity (of the dimension of q0).
  let defaultVelocity: [Double]?
  /// The integrator used when none is given.
  let defaultIntegrator: String
  /// The supported integrators (the default first).
  let integrators: [IntegratorEntry]
  /// How `vin render` draws the system's configurations (nil: it cannot be drawn).
  let drawing: DrawingBuilder?

  init(
    name: String, configuration: String, lagrangian: String, parameters: [ParameterSpec],
    inputs: InputSpec = .none, dimension: Int?,
    initialConditionMeaning: (position: String, velocity: String)? = nil,
    defaultPosition: [Double], defaultVelocity: [Double]?, integrators: [IntegratorEntry],
    drawing: DrawingBuilder? = nil
  ) {
    self.name = name
    self.configuration = configuration
    self.lagrangian = lagrangian
    self.parameters = parameters
    self.inputs = inputs
    self.dimension = dimension
    self.initialConditionMeaning = initialConditionMeaning
    self.defaultPosition = defaultPosition
    self.defaultVelocity = defaultVelocity
    self.defaultIntegrator = integrators.first?.name ?? ""
    self.integrators = integrators
    self.drawing = drawing
  }

  /// The supported integrator `name`.
  ///
  /// - Throws: ``CommandError/unknownIntegrator(_:known:)`` for a name `vin` does not know,
  ///   ``CommandError/invalidSetup(system:_:)`` with
  ///   ``IntegrationError/notApplicable(integrator:system:reason:)`` for one this system does not
  ///   support.
  func integrator(named name: String) throws(CommandError) -> IntegratorEntry {
    if let entry = integrators.first(where: { $0.name == name }) { return entry }
    guard let description = IntegratorCatalog.description(of: name) else {
      throw .unknownIntegrator(name, known: IntegratorCatalog.names)
    }
    let supported = integrators.map(\.name).joined(separator: ", ")
    throw .invalidSetup(
      system: self.name,
      .notApplicable(
        integrator: name, system: self.name,
        reason: "it needs \(description.requirement); '\(self.name)' supports \(supported)"))
  }

  /// The checked setup for the command-line values `q0`, `v0` (comma-separated lists, `nil`
  /// for the defaults), `assignments` and `control`.
  ///
  /// - Throws: ``CommandError`` naming an unknown parameter, a malformed or non-finite number, a
  ///   list with the wrong number of entries, or a control the system (it has no inputs, or
  ///   another number of them) or the run (its times) does not fit.
  func setup(
    position q0: String?, velocity v0: String?, assignments: [ParameterAssignment],
    stepSize: Double, steps: Int, control: ControlSignal? = nil
  ) throws(CommandError) -> SimulationSetup {
    var values: [String: Double] = [:]
    for parameter in parameters { values[parameter.name] = parameter.defaultValue }
    for assignment in assignments {
      guard values[assignment.name] != nil else {
        throw .unknownParameter(assignment.name, system: name, known: parameters.map(\.name))
      }
      values[assignment.name] = assignment.value
    }
    var position = defaultPosition
    if let q0 {
      position = try NumberList.parse(q0, option: "--q0")
      if let dimension, position.count != dimension {
        throw .wrongCount(option: "--q0", text: q0, expected: dimension, system: name)
      }
    }
    var velocity = Array(repeating: 0.0, count: position.count)
    if let v0 {
      velocity = try NumberList.parse(v0, option: "--v0")
      guard velocity.count == position.count else {
        throw .wrongCount(option: "--v0", text: v0, expected: position.count, system: name)
      }
    } else if let defaultVelocity, defaultVelocity.count == position.count {
      velocity = defaultVelocity
    }
    if let control {
      let m = inputs.count(dimension: position.count)
      guard m > 0 else {
        throw .invalidControl(control.specification, detail: "system '\(name)' has no inputs")
      }
      try control.validate(
        inputs: m, steps: steps, stepSize: stepSize, subject: "system '\(name)'")
    }
    return SimulationSetup(
      parameters: values, position: position, velocity: velocity, stepSize: stepSize,
      steps: steps, control: control)
  }
}
