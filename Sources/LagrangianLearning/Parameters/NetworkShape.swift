/// The architecture of a fully connected network: `depth` hidden layers of `width` units with
/// activation σ, then a linear output layer.
///
///     a₀ = x,  aₗ = σ(Aₗ aₗ₋₁ + bₗ)  (l = 1…depth),  y = A_out a_depth + b_out
///
/// Parameters are stored layer by layer, each as its weight matrix (row-major, `out × in`)
/// followed by its bias.
public struct NetworkShape: Hashable, Codable, Sendable {
  public let inputDimension: Int
  public let width: Int
  public let depth: Int
  public let outputDimension: Int
  public let activation: Activation

  /// - Throws: ``LearningError/invalidConfiguration(name:value:requirement:)`` unless every
  ///   size is at least 1.
  public init(
    inputDimension: Int, width: Int, depth: Int, outputDimension: Int, activation: Activation
  ) throws(LearningError) {
    for (name, value) in [
      ("input dimension", inputDimension), ("width", width), ("depth", depth),
      ("output dimension", outputDimension),
    ] where value < 1 {
      throw .invalidConfiguration(name: name, value: "\(value)", requirement: "must be at least 1")
    }
    self.inputDimension = inputDimension
    self.width = width
    self.depth = depth
    self.outputDimension = outputDimension
    self.activation = activation
  }

  /// The number of layers with weights (`depth + 1`).
  public var layerCount: Int { depth + 1 }

  /// The input size of layer `l` (0-based).
  @inlinable
  public func inputSize(ofLayer l: Int) -> Int { l == 0 ? inputDimension : width }

  /// The output size of layer `l` (0-based).
  @inlinable
  public func outputSize(ofLayer l: Int) -> Int { l == depth ? outputDimension : width }

  /// The offset of layer `l`'s weight matrix in the parameter vector; its bias follows it.
  public func weightOffset(ofLayer l: Int) -> Int {
    var offset = 0
    for k in 0..<l { offset += (inputSize(ofLayer: k) + 1) * outputSize(ofLayer: k) }
    return offset
  }

  /// The total number of parameters.
  public var parameterCount: Int { weightOffset(ofLayer: layerCount) }
}
