import DiscreteMechanics
import Testing

/// `max_i |a_i − b_i|`.
func maxDifference(_ a: [Double], _ b: [Double]) -> Double {
  zip(a, b).reduce(0) { max($0, ($1.0 - $1.1).magnitude) }
}

/// The state after integrating to `time` with step `h` (time must be a multiple of h).
func solve<Method: Integrator>(_ method: inout Method, from initial: Method.State, to time: Double)
  throws -> Method.State
{
  let steps = Int((time / method.stepSize).rounded())
  var state = initial
  for _ in 0..<steps { try method.step(&state) }
  return state
}
