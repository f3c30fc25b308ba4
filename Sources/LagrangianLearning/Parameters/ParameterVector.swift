import _Differentiation

/// A flat vector of trainable parameters, its own tangent vector.
///
/// Networks keep all their weights in one `ParameterVector` so that hand-written pullbacks
/// accumulate into one buffer and optimisers see a flat array. Like `RealVector`, the empty
/// vector is the zero of every dimension (`.zero` is what automatic differentiation produces
/// for a parameter a function does not use).
///
/// Read the entries in differentiable code through ``slice(from:count:)`` or
/// ``gather(blocks:size:)``; `scalars` itself is not differentiable (its tangent is a `ParameterVector`, not `Array<Double>.TangentVector`).
public struct ParameterVector: Differentiable, AdditiveArithmetic, Hashable, Sendable, Codable {
  public typealias TangentVector = ParameterVector

  /// The entries.
  public var scalars: [Double]

  public init(_ scalars: [Double]) { self.scalars = scalars }

  /// `count` zeros.
  public init(zeros count: Int) { scalars = Array(repeating: 0, count: count) }

  public static var zero: ParameterVector { ParameterVector([]) }

  public var count: Int { scalars.count }

  public static func + (lhs: ParameterVector, rhs: ParameterVector) -> ParameterVector {
    var sum = lhs
    sum += rhs
    return sum
  }

  public static func += (lhs: inout ParameterVector, rhs: ParameterVector) {
    if rhs.scalars.isEmpty { return }
    if lhs.scalars.isEmpty {
      lhs = rhs
      return
    }
    for i in lhs.scalars.indices { lhs.scalars[i] += rhs.scalars[i] }
  }

  public static func - (lhs: ParameterVector, rhs: ParameterVector) -> ParameterVector {
    var negated = rhs
    for i in negated.scalars.indices { negated.scalars[i] = -negated.scalars[i] }
    return lhs + negated
  }

  public mutating func move(by offset: ParameterVector) { self += offset }

  /// The entries as an array of `count` numbers (zeros if this is the empty zero vector).
  public func dense(count: Int) -> [Double] {
    scalars.isEmpty ? Array(repeating: 0, count: count) : scalars
  }

  /// Entries `start ..< start + count`, differentiable.
  @differentiable(reverse)
  public func slice(from start: Int, count: Int) -> [Double] {
    Array(scalars[start..<(start + count)])
  }

  @derivative(of: slice)
  public func vjpSlice(from start: Int, count: Int) -> (
    value: [Double], pullback: ([Double].TangentVector) -> ParameterVector
  ) {
    let total = scalars.count
    return (
      Array(scalars[start..<(start + count)]),
      { cotangent in
        var result = Array(repeating: 0.0, count: total)
        for i in 0..<min(count, cotangent.base.count) { result[start + i] = cotangent.base[i] }
        return ParameterVector(result)
      }
    )
  }

  /// Blocks `blocks[0], blocks[1], …` of `size` entries each (block i is entries
  /// `i·size ..< (i+1)·size`), concatenated; differentiable.
  @differentiable(reverse)
  public func gather(blocks: [Int], size: Int) -> [Double] {
    var result: [Double] = []
    result.reserveCapacity(blocks.count * size)
    for i in blocks { result += scalars[(i * size)..<((i + 1) * size)] }
    return result
  }

  @derivative(of: gather)
  public func vjpGather(blocks: [Int], size: Int) -> (
    value: [Double], pullback: ([Double].TangentVector) -> ParameterVector
  ) {
    let total = scalars.count
    return (
      gather(blocks: blocks, size: size),
      { cotangent in
        var result = Array(repeating: 0.0, count: total)
        let c = [Double](dense: cotangent, count: blocks.count * size)
        for (position, i) in blocks.enumerated() {
          for j in 0..<size { result[i * size + j] += c[position * size + j] }
        }
        return ParameterVector(result)
      }
    )
  }
}
