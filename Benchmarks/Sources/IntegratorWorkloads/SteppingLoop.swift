import DiscreteMechanics

/// An integrator together with the state it advances: ``run(steps:)`` is the loop that the
/// benchmarks time.
///
/// The loop is `@inlinable` so that it is specialised for the concrete integrator in the
/// benchmark executable, as a user's own loop would be.
public struct SteppingLoop<Method: Integrator> {
  /// The integrator, with its workspace and warm starts.
  public var integrator: Method
  /// The current state.
  public var state: Method.State

  public init(integrator: Method, state: Method.State) {
    self.integrator = integrator
    self.state = state
  }

  /// Advances ``state`` by `steps` steps.
  @inlinable
  public mutating func run(steps: Int) throws(IntegrationError) {
    for _ in 0..<steps { try integrator.step(&state) }
  }
}
