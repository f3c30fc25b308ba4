// CNetworkKernels: the fused passes of a one-hidden-layer tanh network with few inputs, the
// shape of LagrangianLearning's potentials on R¹…R⁷ and of its configuration-dependent mass
// matrices. Internal to VINKit; it has no stable API.
//
// They are C rather than Swift for one reason: the compiler may build a function for several
// instruction sets and pick one when the program starts (`target_clones`), and the elementwise
// tanh of a batch of B·width numbers — most of a training iteration — runs 2 to 4 times faster
// with AVX2 or AVX-512 than with the SSE2 that a portable build targets. The mathematics is that
// of `MultilayerPerceptron`'s layered passes at depth 1 (see NetworkGradientPass.swift).
#ifndef VINKIT_NETWORK_KERNELS_H
#define VINKIT_NETWORK_KERNELS_H

/// The parameters by columns: `weights` holds Aᵀ (`inputs` rows of `padded_width`, a multiple
/// of 8, zero beyond the width), then the bias b and the output weights c, `padded_width` each.
typedef struct {
  int inputs;
  int padded_width;
  const double *weights;
  const double *bias;
  const double *output_weights;
} vinkit_shallow_network;

/// ∇ₓf = Aᵀ(c ⊙ tanh′(A x_b + b)) for the `batch` inputs at `x` (batch·inputs numbers), to
/// `gradient`.
void vinkit_shallow_tanh_gradient(
    vinkit_shallow_network network, int batch, const double *x, double *gradient);

/// ∇ₓf and the Hessian ∇ₓ²f = Aᵀ diag(c ⊙ tanh″(A x_b + b)) A for the `batch` inputs at `x`:
/// the gradients to `gradient` (batch·inputs numbers) and the Hessians to `hessian`
/// (batch·inputs² numbers, one row-major inputs × inputs matrix per input).
void vinkit_shallow_tanh_gradient_hessian(
    vinkit_shallow_network network, int batch, const double *x, double *gradient, double *hessian);

/// The pullback of (θ, x_b) ↦ ∇ₓf(x_b) for the cotangents ḡ_b: with z = A x + b, δ = c ⊙ σ′,
/// δ̄ = A ḡ, z̄ = δ̄ ⊙ c ⊙ σ″, adds δ ḡᵀ + z̄ xᵀ to `weights_bar` (Āᵀ, laid out as `weights`),
/// z̄ to `bias_bar`, δ̄ ⊙ σ′ to `output_weights_bar`, summed over the batch, and writes
/// ∇ₓ²f ḡ_b = Aᵀ z̄ to `hessian_product`.
void vinkit_shallow_tanh_pullback(
    vinkit_shallow_network network, int batch, const double *x, const double *cotangent,
    double *weights_bar, double *bias_bar, double *output_weights_bar, double *hessian_product);

/// The hidden layer of a one-hidden-layer tanh network at one input x (`inputs` numbers):
/// z = A x + b, with Aᵀ given as `inputs` rows of `width` numbers (`weights`), then σ = tanh z,
/// σ′ = 1 − σ² and σ″ = −2σσ′ to `value`, `first` and `second` (`width` numbers each; any width).
void vinkit_tanh_layer(
    int inputs, int width, const double *weights, const double *bias, const double *x,
    double *value, double *first, double *second);

#endif
