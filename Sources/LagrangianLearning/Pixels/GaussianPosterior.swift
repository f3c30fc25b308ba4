import RealModule

/// The diagonal Gaussian posteriors of the pixel models' latent states and their
/// Kullback–Leibler divergences to the priors, with the derivatives the hand-written pullbacks
/// need (Kingma and Welling, *Auto-encoding variational Bayes*, ICLR 2014, appendix B).
///
/// An encoder output s becomes a standard deviation `σ = softplus(s) = log(1 + eˢ)`, as in the
/// reference implementation of Saemundsson et al. (AISTATS 2020); a sample is the
/// reparameterised `x = μ + σ ε`, ε ~ N(0, 1).
enum GaussianPosterior {
  /// `σ = softplus(s)` and `dσ/ds = 1/(1 + e⁻ˢ)`.
  @inline(__always)
  static func scale(_ s: Double) -> (sigma: Double, derivative: Double) {
    (Activation.softplus(s), Activation.logistic(s))
  }

  /// `KL(N(μ, σ²) ‖ N(0, τ²)) = log(τ/σ) + (σ² + μ²)/(2τ²) − ½` for the prior variance `τ² =
  /// priorVariance`, with `∂/∂μ = μ/τ²` and `∂/∂σ = σ/τ² − 1/σ`.
  @inline(__always)
  static func divergence(mean mu: Double, deviation sigma: Double, priorVariance v: Double) -> (
    value: Double, meanDerivative: Double, deviationDerivative: Double
  ) {
    (
      0.5 * Double.log(v) - Double.log(sigma) + (sigma * sigma + mu * mu) / (2 * v) - 0.5,
      mu / v, sigma / v - 1 / sigma
    )
  }

  /// The divergence of two independent positions `q₀ ~ N(μ₀, σ₀²)`, `q₁ ~ N(μ₁, σ₁²)` from the
  /// random-walk prior `q₀ ~ N(0, 1)`, `q₁ | q₀ ~ N(q₀, v)`: the prior of a position-only model,
  /// whose increment `q₁ − q₀` has variance v = h (Saemundsson et al., AISTATS 2020, §5.2). With
  /// `δ = μ₁ − μ₀` (on the circle the increment taken in (−π, π]),
  ///
  ///     KL = KL(N(μ₀, σ₀²) ‖ N(0, 1)) + ½ log(v/σ₁²) + (δ² + σ₀² + σ₁²)/(2v) − ½,
  ///
  /// from `E[(q₁ − q₀)²] = δ² + σ₀² + σ₁²`. Returns the value and the derivatives with respect to
  /// `(μ₀, σ₀, μ₁, σ₁)`.
  static func increment(
    mean0: Double, deviation0: Double, mean1: Double, deviation1: Double, increment delta: Double,
    variance v: Double
  ) -> (value: Double, derivatives: (Double, Double, Double, Double)) {
    let first = divergence(mean: mean0, deviation: deviation0, priorVariance: 1)
    let second =
      0.5 * Double.log(v) - Double.log(deviation1)
      + (delta * delta + deviation0 * deviation0 + deviation1 * deviation1) / (2 * v) - 0.5
    return (
      first.value + second,
      (
        first.meanDerivative - delta / v, first.deviationDerivative + deviation0 / v,
        delta / v, deviation1 / v - 1 / deviation1
      )
    )
  }

  /// `x` shifted by a multiple of 2π into (−π, π].
  static func wrappedAngle(_ x: Double) -> Double {
    let turns = ((x + Double.pi) / (2 * Double.pi)).rounded(.down)
    let wrapped = x - 2 * Double.pi * turns
    return wrapped <= -Double.pi ? wrapped + 2 * Double.pi : wrapped
  }
}
