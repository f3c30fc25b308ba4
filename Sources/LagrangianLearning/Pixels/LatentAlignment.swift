import RealModule

/// How well a latent angle φ (a ``PixelModel``'s embedding, ``PixelModel/embed(_:)``) follows a
/// true angle θ up to a constant offset and a mirror image:
///
///     A = max over s = ±1 of | (1/T) Σ_k exp(i(φ_k − s θ_k)) |,
///
/// the mean resultant length of the differences `φ_k − s θ_k` on the circle. A = 1 exactly when
/// `φ_k = s θ_k + c` for every frame (the latent angle is the true angle, or its mirror image,
/// turned by c); it is near 0 when the differences spread over the whole circle.
public struct LatentAlignment: Equatable, Sendable {
  /// A, in [0, 1].
  public let value: Double
  /// The sense s = ±1 that attains it (+1: the latent angle turns as the true angle does).
  public let sense: Int

  /// The alignment of `latent` with `truth`, angle by angle.
  /// - Throws: ``LearningError/dimensionMismatch(name:expected:actual:)`` for lists of different
  ///   lengths; ``LearningError/notEnoughData(detail:)`` for empty ones;
  ///   ``LearningError/invalidConfiguration(name:value:requirement:)`` naming an angle that is
  ///   not finite.
  public init(latent: [Double], truth: [Double]) throws(LearningError) {
    guard latent.count == truth.count else {
      throw .dimensionMismatch(name: "true angles", expected: latent.count, actual: truth.count)
    }
    guard !latent.isEmpty else { throw .notEnoughData(detail: "no angles to align") }
    for (name, angles) in [("latent angle", latent), ("true angle", truth)] {
      if let k = angles.firstIndex(where: { !$0.isFinite }) {
        throw .invalidConfiguration(
          name: "\(name) \(k)", value: "\(angles[k])", requirement: "must be finite")
      }
    }
    func resultant(_ s: Double) -> Double {
      var (c, d) = (0.0, 0.0)
      for (phi, theta) in zip(latent, truth) {
        c += Double.cos(phi - s * theta)
        d += Double.sin(phi - s * theta)
      }
      return (c * c + d * d).squareRoot() / Double(latent.count)
    }
    let (same, mirrored) = (resultant(1), resultant(-1))
    (value, sense) = same >= mirrored ? (same, 1) : (mirrored, -1)
  }
}
