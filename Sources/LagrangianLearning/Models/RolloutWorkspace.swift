/// The working memory of batched rollouts and their pullbacks: contiguous buffers that grow to
/// the largest size asked for and are then reused, so that a training iteration allocates none
/// of its per-step storage (states, potential gradients, network activations).
///
/// A workspace is used by one thread at a time; ``Trainer`` creates one per shard once per run
/// and passes it to every iteration's rollouts
/// (``RolloutModel/rollout(from:steps:workspace:)``). It is a reference held outside the
/// differentiable models, which stay value types. Its contents are scratch: nothing in it
/// survives from one rollout to the next.
public final class RolloutWorkspace: @unchecked Sendable {
  /// The purposes of the buffers; each has its own storage.
  enum Buffer: Int, CaseIterable {
    /// Rollout states and gradients, step-major: `q_k`, `p_k`, `∇V(q_k)` of all windows.
    case positions, momenta, gradients
    /// The rollout's adjoint vectors (a few B·n blocks).
    case adjoints
    /// A forced rollout's discrete velocities `v_k` of every step and window.
    case discreteVelocities
    /// A network's layer values for one batch (σ, σ′, sensitivities, pullback scratch).
    case networkValues
    /// A network's transposed first-layer weights and its gradient accumulators.
    case networkColumns
    /// A potential's input transformation (embedded points, their cotangents).
    case embedding
    /// A network's Hessians by Hessian-vector products (unit cotangents, products, scratch).
    case secondDerivatives
    /// The implicit midpoint rollout: its Newton matrices at the roots, and the values of one
    /// Newton iteration (midpoints, velocities, M, `(∂M/∂qᵏ)v`, `vᵀ∂²Mv`, ∇V, ∇²V, residuals)
    /// or of one adjoint step.
    case jacobians, newton
    /// The implicit midpoint rollout's velocities `q̇_k = M(q_k)⁻¹p_k` and mass matrices `M(q_k)`
    /// at its states, when it observes velocities.
    case stateVelocities
    /// The configuration-dependent mass matrix's network: one window's values and the
    /// parameter gradient accumulators.
    case massNetwork
    /// A forced rollout's B, D (and their q-derivatives and cotangents) at its points, the
    /// point q = 0 of constant forces, the force networks' values of one batched pass, and a
    /// forced Verlet rollout's `(M + (h/2)D)⁻¹` and `M − (h/2)D` at its points.
    case forceValues, forceOrigin, forceNetwork, forcedStepMatrices
  }

  /// Whether a rollout in this workspace ran a matrix product through OpenBLAS (a network
  /// layer with many inputs), which ``Trainer`` needs to know to keep its parallel shards from
  /// contending with OpenBLAS's own threads.
  var ranMatrixProducts = false

  private let pool = BufferPool<Buffer>()

  public init() {}

  /// At least `count` numbers for `buffer`, valid until the next call for the same buffer with
  /// a larger count; the contents are unspecified (whatever the last user left).
  func buffer(_ buffer: Buffer, count: Int) -> UnsafeMutablePointer<Double> {
    pool.buffer(buffer, count: count)
  }
}
