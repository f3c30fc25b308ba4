/// The hidden layers of a network in a ``ModelSpecification``: `depth` layers of `width` units
/// with activation σ. Its inputs and outputs follow from where it is used (a potential of
/// q ∈ Rⁿ has n inputs and one output, a baseline has 2n or 3n inputs and 2n outputs), so that a
/// specification cannot disagree with itself.
public struct NetworkArchitecture: Codable, Hashable, Sendable {
  public var width: Int
  public var depth: Int
  public var activation: Activation

  public init(width: Int, depth: Int, activation: Activation = .tanh) {
    self.width = width
    self.depth = depth
    self.activation = activation
  }

  /// The network shape with `inputs` inputs and `outputs` outputs.
  /// - Throws: ``LearningError/invalidConfiguration(name:value:requirement:)`` naming `field`
  ///   for a width or depth outside ``ModelLimits``, or for a network with more than
  ///   ``ModelLimits/maximumParameterCount`` parameters (counted without overflow).
  func shape(inputs: Int, outputs: Int, field: String) throws(LearningError) -> NetworkShape {
    try ModelLimits.check(width, in: 1...ModelLimits.maximumWidth, field: "\(field).width")
    try ModelLimits.check(depth, in: 1...ModelLimits.maximumDepth, field: "\(field).depth")
    // (in + 1) w + (depth − 1)(w + 1) w + (w + 1) out, each term bounded by the limits above.
    let count = try ModelLimits.sum(
      [
        ModelLimits.product(inputs + 1, width),
        ModelLimits.product(depth - 1, ModelLimits.product(width + 1, width)),
        ModelLimits.product(width + 1, outputs),
      ], field: field)
    try ModelLimits.checkParameterCount(count, field: field)
    return try NetworkShape(
      inputDimension: inputs, width: width, depth: depth, outputDimension: outputs,
      activation: activation)
  }
}
