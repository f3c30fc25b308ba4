/// The working memory of a pixel model's loss and gradient: contiguous buffers that grow to
/// the largest size asked for and are then reused, so that a training iteration allocates none
/// of its frame-sized storage (encoder and decoder activations, logits, the LSTM's states),
/// and the ``RolloutWorkspace`` of the latent rollouts.
///
/// A workspace is used by one thread at a time; ``PixelTrainer`` creates one per run. Its
/// contents are scratch: nothing in it survives from one evaluation to the next.
public final class PixelWorkspace: @unchecked Sendable {
  /// The purposes of the buffers; each has its own storage.
  enum Buffer: Int, CaseIterable {
    /// The encoded frames, the encoder's hidden values, its outputs and their cotangents.
    case encoderInput, encoderHidden, encoderOutput, encoderCotangent
    /// Per encoded frame μ, σ, dσ/ds.
    case posterior
    /// The LSTM's inputs (every window's encodings) and their cotangents, its values, its
    /// read-out and the read-out's cotangent.
    case recurrentInput, recurrentInputCotangent, recurrentStorage, recurrentOutput,
      recurrentCotangent
    /// The decoder's inputs, hidden values, logits (then their cotangents) and input
    /// cotangents.
    case decoderInput, decoderHidden, logits, decoderInputCotangent
    /// The backward passes' scratch.
    case scratch
  }

  /// The latent rollouts' memory.
  let rollouts = RolloutWorkspace()

  private let pool = BufferPool<Buffer>()

  public init() {}

  /// At least `count` numbers for `buffer`, valid until the next call for the same buffer with
  /// a larger count; the contents are unspecified (whatever the last user left).
  func buffer(_ buffer: Buffer, count: Int) -> UnsafeMutablePointer<Double> {
    pool.buffer(buffer, count: count)
  }
}
