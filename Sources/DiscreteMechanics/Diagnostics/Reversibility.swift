/// The time-reversal test of a symmetric method: `N` steps, reverse the momentum, `N` steps,
/// reverse it back. A symmetric (time-reversible) method returns to the initial state up to
/// round-off and solver tolerance; a non-symmetric one does not
/// (Hairer, Lubich, Wanner 2006, §V.1).
public enum Reversibility {
  /// The state reached by the round trip; compare it with `initial`.
  ///
  /// - Parameters:
  ///   - method: the integrator, stepped `2 steps` times.
  ///   - initial: the starting state.
  ///   - steps: the number of steps in each direction.
  ///   - reverseMomentum: the momentum flip `ρ`, e.g. `(q, p) ↦ (q, −p)` on R^n.
  public static func roundTrip<Method: Integrator>(
    _ method: inout Method, from initial: Method.State, steps: Int,
    reverseMomentum: (Method.State) -> Method.State
  ) throws(IntegrationError) -> Method.State {
    var state = initial
    for k in 0..<steps {
      do throws(IntegrationError) { try method.step(&state) } catch { throw error.at(step: k) }
    }
    state = reverseMomentum(state)
    for k in 0..<steps {
      do throws(IntegrationError) { try method.step(&state) } catch {
        throw error.at(step: steps + k)
      }
    }
    return reverseMomentum(state)
  }
}

extension PhaseState {
  /// `(q, −p)`, the time reversal of a state on T*R^n.
  public var reversed: PhaseState { PhaseState(q: q, p: p.map { -$0 }) }
}
