// The Störmer–Verlet loops of the pendulum and the Kepler problem in plain C, compiled with
// -O2: the hardware floor that the Swift `StormerVerlet` is measured against. No public API:
// it exists only for the benchmarks.
//
// Each function performs `steps` steps of
//
//     p_{k+1/2} = p_k − (h/2) ∇V(q_k)
//     q_{k+1}   = q_k + h M⁻¹ p_{k+1/2}
//     p_{k+1}   = p_{k+1/2} − (h/2) ∇V(q_{k+1})
//
// in place, with one gradient evaluation per step (the gradient at q_{k+1} is kept for the next
// step), in the same floating-point operations and order as the Swift implementation, so that
// both produce bit-identical states.

#ifndef CVERLETPEER_H
#define CVERLETPEER_H

/// The pendulum `V(θ) = −m g l cos θ`, `M = m l²`: `stepSize` h, `m g l`, `1/(m l²)`.
typedef struct {
  double stepSize;
  double mgl;
  double inverseInertia;
} cverlet_pendulum;

/// The state (θ, p_θ) of the pendulum.
typedef struct {
  double q;
  double p;
} cverlet_pendulum_state;

/// The Kepler problem `V(q) = −1/|q|`, `M = I`, in the plane.
typedef struct {
  double stepSize;
} cverlet_kepler;

/// The state (q₁, q₂, p₁, p₂) of the Kepler problem.
typedef struct {
  double q[2];
  double p[2];
} cverlet_kepler_state;

/// `steps` Verlet steps of the pendulum from `*state`, in place.
void cverlet_pendulum_run(const cverlet_pendulum *system, cverlet_pendulum_state *state,
                          long steps);

/// `steps` Verlet steps of the Kepler problem from `*state`, in place.
void cverlet_kepler_run(const cverlet_kepler *system, cverlet_kepler_state *state, long steps);

#endif
