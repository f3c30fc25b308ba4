import Foundation

/// Adam on a vector of equal blocks of which each update touches only some: the per-window
/// inferred starts of minibatch training, where a window's start has a gradient only in the
/// minibatches that hold the window ("lazy" Adam).
///
/// A block's moments and its step count t_b (for the bias corrections 1 − βᵗ) advance only when
/// the block is in the batch, so an update moves each visited start by about the step size and
/// leaves the others where they are. Plain ``Adam`` on the whole vector would feed the absent
/// windows a zero gradient: their first moment decays while it keeps moving them, and their
/// second moment shrinks, so that their next real gradient takes an oversized step.
struct BlockwiseAdam: Sendable {
  var learningRate: Double
  let blockSize: Int
  let beta1 = 0.9
  let beta2 = 0.999
  let epsilon = 1e-8
  private var firstMoment: [Double]
  private var secondMoment: [Double]
  private var steps: [Int]

  init(blocks: Int, blockSize: Int, learningRate: Double) {
    self.learningRate = learningRate
    self.blockSize = blockSize
    firstMoment = Array(repeating: 0, count: blocks * blockSize)
    secondMoment = Array(repeating: 0, count: blocks * blockSize)
    steps = Array(repeating: 0, count: blocks)
  }

  /// One update of the blocks `batch` of `parameters` along `gradient` (both the whole vector;
  /// entries outside the batch are ignored). A block listed twice is updated once.
  mutating func update(_ parameters: inout [Double], gradient: [Double], batch: [Int]) {
    for b in Set(batch).sorted() {
      steps[b] += 1
      let correction1 = 1 - pow(beta1, Double(steps[b]))
      let correction2 = 1 - pow(beta2, Double(steps[b]))
      for i in (b * blockSize)..<((b + 1) * blockSize) {
        let g = gradient[i]
        firstMoment[i] = beta1 * firstMoment[i] + (1 - beta1) * g
        secondMoment[i] = beta2 * secondMoment[i] + (1 - beta2) * g * g
        let mHat = firstMoment[i] / correction1
        let vHat = secondMoment[i] / correction2
        parameters[i] -= learningRate * mHat / (vHat.squareRoot() + epsilon)
      }
    }
  }
}
