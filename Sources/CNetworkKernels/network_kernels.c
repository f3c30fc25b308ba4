#include "network_kernels.h"

#include <string.h>

// Eight lanes: one AVX-512 register, two AVX2 registers, four SSE2 registers.
typedef double lanes __attribute__((vector_size(64)));
typedef long long masks __attribute__((vector_size(64)));

#if defined(__x86_64__) && defined(__linux__)
#define VINKIT_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define VINKIT_CLONES
#endif

// The helpers are macros, not functions: a 64-byte vector passed to or returned from a function
// would change the calling convention between the clones (clang rejects it).
#define LOAD(p) \
  ({ \
    lanes loaded_; \
    memcpy(&loaded_, (p), sizeof loaded_); \
    loaded_; \
  })
#define STORE(p, v) \
  do { \
    lanes stored_ = (v); \
    memcpy((p), &stored_, sizeof stored_); \
  } while (0)
#define SPLAT(x) ((lanes){0, 0, 0, 0, 0, 0, 0, 0} + (x))
#define SUM(v) ((((v)[0] + (v)[1]) + ((v)[2] + (v)[3])) + (((v)[4] + (v)[5]) + ((v)[6] + (v)[7])))
#define CHOOSE(mask, a, b) ((lanes)((((masks)(a)) & (mask)) | (((masks)(b)) & ~(mask))))

/// (tanh z, 1 − tanh² z), the method of VectorTanh.swift: with a = |z|, w = e^{−2a} = 1 + e,
/// e = expm1(−2a): tanh a = −e/(1 + w), 1 − tanh² a = 4w/(1 + w)²; expm1 by Cody–Waite reduction
/// y = k ln 2 + r and its Taylor polynomial to degree 13 (Estrin), 2ᵏ in the exponent bits.
#define TANH_LANES(z, value, derivative) \
  do { \
    masks negative_ = (z) < 0.0; \
    lanes magnitude_ = CHOOSE(negative_, -(z), (z)); \
    lanes a_ = CHOOSE(magnitude_ > 350.0, SPLAT(350.0), magnitude_); \
    lanes y_ = -2.0 * a_; \
    lanes shifted_ = y_ * 1.4426950408889634 + 6755399441055744.0; \
    lanes k_ = shifted_ - 6755399441055744.0; \
    lanes r_ = (y_ - k_ * 6.93147180369123816490e-01) - k_ * 1.90821492927058770002e-10; \
    lanes r2_ = r_ * r_; \
    lanes r4_ = r2_ * r2_; \
    lanes c01_ = 1 / 2.0 + r_ * (1 / 6.0); \
    lanes c23_ = 1 / 24.0 + r_ * (1 / 120.0); \
    lanes c45_ = 1 / 720.0 + r_ * (1 / 5040.0); \
    lanes c67_ = 1 / 40320.0 + r_ * (1 / 362880.0); \
    lanes c89_ = 1 / 3628800.0 + r_ * (1 / 39916800.0); \
    lanes c1011_ = 1 / 479001600.0 + r_ * (1 / 6227020800.0); \
    lanes low_ = (c01_ + r2_ * c23_) + r4_ * (c45_ + r2_ * c67_); \
    lanes high_ = c89_ + r2_ * c1011_; \
    lanes p_ = r_ + r2_ * (low_ + (r4_ * r4_) * high_); \
    lanes scale_ = (lanes)((((masks)shifted_) + 1023) << 52); \
    lanes e_ = scale_ * p_ + (scale_ - 1.0); \
    lanes w_ = scale_ * (1.0 + p_); \
    lanes inverse_ = 1.0 / (1.0 + w_); \
    lanes t_ = -e_ * inverse_; \
    (value) = CHOOSE(negative_, -t_, t_); \
    (derivative) = 4.0 * w_ * inverse_ * inverse_; \
  } while (0)

enum { most_inputs = 7 };

VINKIT_CLONES
void vinkit_shallow_tanh_gradient(
    vinkit_shallow_network network, int batch, const double *x, double *gradient) {
  const int n = network.inputs;
  const int width = network.padded_width;
  for (int b = 0; b < batch; ++b) {
    lanes sums[most_inputs];
    double xs[most_inputs];
    for (int j = 0; j < n; ++j) {
      sums[j] = SPLAT(0.0);
      xs[j] = x[b * n + j];
    }
    for (int i = 0; i < width; i += 8) {
      lanes z = LOAD(network.bias + i);
      for (int j = 0; j < n; ++j) z += LOAD(network.weights + j * width + i) * xs[j];
      lanes value, first;
      TANH_LANES(z, value, first);
      lanes delta = LOAD(network.output_weights + i) * first;
      for (int j = 0; j < n; ++j) sums[j] += delta * LOAD(network.weights + j * width + i);
    }
    for (int j = 0; j < n; ++j) gradient[b * n + j] = SUM(sums[j]);
  }
}

VINKIT_CLONES
void vinkit_shallow_tanh_gradient_hessian(
    vinkit_shallow_network network, int batch, const double *x, double *gradient, double *hessian) {
  const int n = network.inputs;
  const int width = network.padded_width;
  for (int b = 0; b < batch; ++b) {
    lanes sums[most_inputs];
    lanes pairs[most_inputs * (most_inputs + 1) / 2];
    double xs[most_inputs];
    for (int j = 0; j < n; ++j) {
      sums[j] = SPLAT(0.0);
      xs[j] = x[b * n + j];
    }
    for (int p = 0; p < n * (n + 1) / 2; ++p) pairs[p] = SPLAT(0.0);
    for (int i = 0; i < width; i += 8) {
      lanes z = LOAD(network.bias + i);
      for (int j = 0; j < n; ++j) z += LOAD(network.weights + j * width + i) * xs[j];
      lanes value, first;
      TANH_LANES(z, value, first);
      lanes c = LOAD(network.output_weights + i);
      lanes delta = c * first;
      lanes curvature = c * (-2.0 * value * first);
      int p = 0;
      for (int j = 0; j < n; ++j) {
        lanes a = LOAD(network.weights + j * width + i);
        sums[j] += delta * a;
        lanes weighted = curvature * a;
        for (int l = j; l < n; ++l, ++p) pairs[p] += weighted * LOAD(network.weights + l * width + i);
      }
    }
    int p = 0;
    for (int j = 0; j < n; ++j) {
      gradient[b * n + j] = SUM(sums[j]);
      for (int l = j; l < n; ++l) {
        double entry = SUM(pairs[p]);
        ++p;
        hessian[(b * n + j) * n + l] = entry;
        hessian[(b * n + l) * n + j] = entry;
      }
    }
  }
}

VINKIT_CLONES
void vinkit_shallow_tanh_pullback(
    vinkit_shallow_network network, int batch, const double *x, const double *cotangent,
    double *weights_bar, double *bias_bar, double *output_weights_bar, double *hessian_product) {
  const int n = network.inputs;
  const int width = network.padded_width;
  for (int b = 0; b < batch; ++b) {
    lanes sums[most_inputs];
    double xs[most_inputs];
    double g_bars[most_inputs];
    for (int j = 0; j < n; ++j) {
      sums[j] = SPLAT(0.0);
      xs[j] = x[b * n + j];
      g_bars[j] = cotangent[b * n + j];
    }
    for (int i = 0; i < width; i += 8) {
      lanes z = LOAD(network.bias + i);
      lanes delta_bar = SPLAT(0.0);
      for (int j = 0; j < n; ++j) {
        lanes a = LOAD(network.weights + j * width + i);
        z += a * xs[j];
        delta_bar += a * g_bars[j];
      }
      lanes value, first;
      TANH_LANES(z, value, first);
      lanes second = -2.0 * value * first;
      lanes c = LOAD(network.output_weights + i);
      lanes delta = c * first;
      lanes z_bar = delta_bar * c * second;
      STORE(bias_bar + i, LOAD(bias_bar + i) + z_bar);
      STORE(output_weights_bar + i, LOAD(output_weights_bar + i) + delta_bar * first);
      for (int j = 0; j < n; ++j) {
        double *row = weights_bar + j * width + i;
        STORE(row, LOAD(row) + delta * g_bars[j] + z_bar * xs[j]);
        sums[j] += z_bar * LOAD(network.weights + j * width + i);
      }
    }
    for (int j = 0; j < n; ++j) hessian_product[b * n + j] = SUM(sums[j]);
  }
}

VINKIT_CLONES
void vinkit_tanh_layer(
    int inputs, int width, const double *weights, const double *bias, const double *x,
    double *value, double *first, double *second) {
  int i = 0;
  for (; i + 8 <= width; i += 8) {
    lanes z = LOAD(bias + i);
    for (int j = 0; j < inputs; ++j) z += LOAD(weights + j * width + i) * x[j];
    lanes t, d;
    TANH_LANES(z, t, d);
    STORE(value + i, t);
    STORE(first + i, d);
    STORE(second + i, -2.0 * t * d);
  }
  if (i == width) return;
  // The last width − i < 8 units, through eight padded lanes.
  double padded[3][8] = {{0}};
  for (int h = i; h < width; ++h) {
    double z = bias[h];
    for (int j = 0; j < inputs; ++j) z += weights[j * width + h] * x[j];
    padded[0][h - i] = z;
  }
  lanes z = LOAD(padded[0]), t, d;
  TANH_LANES(z, t, d);
  STORE(padded[0], t);
  STORE(padded[1], d);
  STORE(padded[2], -2.0 * t * d);
  for (int h = i; h < width; ++h) {
    value[h] = padded[0][h - i];
    first[h] = padded[1][h - i];
    second[h] = padded[2][h - i];
  }
}
