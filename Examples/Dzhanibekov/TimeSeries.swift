/// The times at which `values` changes sign, each by linear interpolation between the two
/// samples around it.
func signChanges(times: [Double], values: [Double]) -> [Double] {
  var crossings: [Double] = []
  for k in values.indices.dropFirst() where values[k - 1] * values[k] < 0 {
    let (a, b) = (values[k - 1], values[k])
    crossings.append(times[k - 1] + (times[k] - times[k - 1]) * a / (a - b))
  }
  return crossings
}

/// The mean spacing of increasing `times` (NaN for fewer than two).
func meanSpacing(_ times: [Double]) -> Double {
  guard let first = times.first, let last = times.last, times.count > 1 else { return .nan }
  return (last - first) / Double(times.count - 1)
}
