/// The times of the interior local minima of `values` sampled at equal steps `times`, each
/// refined by the vertex of the parabola through it and its two neighbours.
func localMinima(times: [Double], values: [Double]) -> [Double] {
  guard values.count >= 3 else { return [] }
  var minima: [Double] = []
  for k in 1..<(values.count - 1) where values[k] < values[k - 1] && values[k] <= values[k + 1] {
    let (left, centre, right) = (values[k - 1], values[k], values[k + 1])
    let curvature = left - 2 * centre + right
    let offset = curvature > 0 ? 0.5 * (left - right) / curvature : 0
    minima.append(times[k] + offset * (times[k + 1] - times[k]))
  }
  return minima
}

/// `values` at time `t` by linear interpolation in the increasing, equally spaced `times`.
func interpolate(_ values: [Double], times: [Double], at t: Double) -> Double {
  guard let first = times.first, times.count > 1 else { return values.first ?? .nan }
  let h = times[1] - first
  let k = min(max(Int(((t - first) / h).rounded(.down)), 0), times.count - 2)
  let fraction = (t - times[k]) / h
  return values[k] + fraction * (values[k + 1] - values[k])
}

/// The largest of `values` (NaN when empty).
func largest(_ values: [Double]) -> Double { values.max() ?? .nan }
