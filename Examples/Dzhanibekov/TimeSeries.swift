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

/// The largest of `values` in consecutive windows of `window` time units of the equally spaced
/// `times`, each placed at its window's centre (a short last window joins the one before it).
func windowMaxima(times: [Double], values: [Double], window: Double)
  -> (times: [Double], values: [Double])
{
  guard times.count > 1 else { return (times, values) }
  let samples = max(1, Int((window / (times[1] - times[0])).rounded()))
  var result: (times: [Double], values: [Double]) = ([], [])
  var start = 0
  while start < times.count {
    var end = min(start + samples, times.count)
    if times.count - end < samples / 2 { end = times.count }
    result.times.append((times[start] + times[end - 1]) / 2)
    result.values.append(values[start..<end].max() ?? .nan)
    start = end
  }
  return result
}
