import Foundation
import _Differentiation

/// The loss of one window (see ``RolloutLossKind``), with a hand-written pullback:
/// MSE `∂ℓ/∂x̂ = 2r/m`; NLL `∂ℓ/∂x̂ = r e^{−2s}/m`, `∂ℓ/∂s = 1 − e^{−2s} Σr²/m` with
/// `s = log σ`, `r = x̂ − x`.
@differentiable(reverse,wrt: (prediction, s))
func windowLoss(
  _ prediction: [Double], _ observations: [Double], logNoiseScale s: Double, kind: RolloutLossKind
) -> Double {
  windowLossValue(prediction, observations, s, kind)
}

func windowLossValue(
  _ prediction: [Double], _ observations: [Double], _ s: Double, _ kind: RolloutLossKind
) -> Double {
  var squares = 0.0
  for i in prediction.indices {
    let r = prediction[i] - observations[i]
    squares += r * r
  }
  let m = Double(prediction.count)
  switch kind {
  case .meanSquaredError: return squares / m
  case .gaussianNegativeLogLikelihood:
    return 0.5 * squares * exp(-2 * s) / m + s + 0.5 * log(2 * Double.pi)
  }
}

@derivative(of: windowLoss, wrt: (prediction, s))
func vjpWindowLoss(
  _ prediction: [Double], _ observations: [Double], logNoiseScale s: Double,
  kind: RolloutLossKind
) -> (value: Double, pullback: (Double) -> ([Double].TangentVector, Double)) {
  let m = Double(prediction.count)
  let value = windowLossValue(prediction, observations, s, kind)
  return (
    value,
    { c in
      var squares = 0.0
      var predictionBar = Array(repeating: 0.0, count: prediction.count)
      let scale = kind == .meanSquaredError ? 2 / m : exp(-2 * s) / m
      for i in prediction.indices {
        let r = prediction[i] - observations[i]
        squares += r * r
        predictionBar[i] = c * scale * r
      }
      let sBar =
        kind == .meanSquaredError ? 0 : c * (1 - exp(-2 * s) * squares / m)
      return (.init(predictionBar), sBar)
    }
  )
}
