import Foundation

/// The Adam optimiser (Kingma and Ba, *Adam: A method for stochastic optimization*, ICLR 2015)
/// on a flat parameter vector:
///
///     m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²,
///     θ ← θ − α (m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε)
public struct Adam: Sendable {
  public var learningRate: Double
  public let beta1: Double
  public let beta2: Double
  public let epsilon: Double
  private var firstMoment: [Double]
  private var secondMoment: [Double]
  /// The number of updates taken.
  public private(set) var step = 0

  public init(
    parameterCount: Int, learningRate: Double, beta1: Double = 0.9, beta2: Double = 0.999,
    epsilon: Double = 1e-8
  ) {
    self.learningRate = learningRate
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
    firstMoment = Array(repeating: 0, count: parameterCount)
    secondMoment = Array(repeating: 0, count: parameterCount)
  }

  /// One update of `parameters` along the gradient `g` (same length).
  public mutating func update(_ parameters: inout [Double], gradient g: [Double]) {
    update(&parameters, gradient: g, offset: 0)
  }

  /// One update of the optimiser's block of a longer vector: `parameters[offset ..< offset + n]`
  /// along `g[offset ..< offset + n]`, n the optimiser's parameter count (a block with an
  /// optimiser of its own, which can sit out updates: ``observe(gradient:offset:)``).
  public mutating func update(_ parameters: inout [Double], gradient g: [Double], offset: Int) {
    observe(gradient: g, offset: offset)
    let correction1 = 1 - pow(beta1, Double(step))
    let correction2 = 1 - pow(beta2, Double(step))
    for i in firstMoment.indices {
      let mHat = firstMoment[i] / correction1
      let vHat = secondMoment[i] / correction2
      parameters[offset + i] -= learningRate * mHat / (vHat.squareRoot() + epsilon)
    }
  }

  /// Adam's moments and step count advanced by the gradient `g[offset ..< offset + n]`, the
  /// parameters left where they are: ``update(_:gradient:offset:)`` without its step. A block
  /// held still for a while (``PixelSpectralStart``) keeps its moments current this way, so that
  /// its first steps when released are sized by the gradients it has been seeing, not by one.
  public mutating func observe(gradient g: [Double], offset: Int) {
    step += 1
    for i in firstMoment.indices {
      let gi = g[offset + i]
      firstMoment[i] = beta1 * firstMoment[i] + (1 - beta1) * gi
      secondMoment[i] = beta2 * secondMoment[i] + (1 - beta2) * gi * gi
    }
  }
}
