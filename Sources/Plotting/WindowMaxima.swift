/// The envelope of a long, fast-oscillating series for plotting: the largest of `values` in
/// consecutive windows of `window` time units of the equally spaced `times`, each placed at its
/// window's centre (a short last window joins the one before it).
public func windowMaxima(times: [Double], values: [Double], window: Double)
  -> (times: [Double], values: [Double])
{
  guard times.count > 1, times.count == values.count else { return (times, values) }
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
