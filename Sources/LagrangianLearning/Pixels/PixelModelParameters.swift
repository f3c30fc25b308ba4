/// The trained values of a ``PixelModel``, component by component: the per-frame encoder, the
/// velocity encoder (LSTM and read-out; empty for models without one), the decoder, and the
/// latent dynamics' ``ModelParameters`` (`nil` for a plain VAE). With a
/// ``PixelModelSpecification`` they determine the model exactly.
public struct PixelModelParameters: Codable, Hashable, Sendable {
  public var encoder: [Double]
  public var recurrent: [Double]
  public var decoder: [Double]
  public var dynamics: ModelParameters?

  public init(
    encoder: [Double], recurrent: [Double], decoder: [Double], dynamics: ModelParameters?
  ) {
    self.encoder = encoder
    self.recurrent = recurrent
    self.decoder = decoder
    self.dynamics = dynamics
  }
}
