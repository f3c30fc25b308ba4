// GSL's rk8pd driven from plain C (-O2) on the pendulum and the Kepler problem: what VINKit's
// `ReferenceSolver` costs without its Swift side (the vector field called through a closure on
// arrays). No public API: it exists only for the benchmarks.
//
// Each call advances y = (q, p) by `duration` exactly as `ReferenceSolver.step` does: a fresh
// `gsl_odeiv2_driver` with `gsl_odeiv2_step_rk8pd`, initial step min(duration, 1e-3), absolute and
// relative tolerance `tolerance`. The return value is GSL's status (GSL_SUCCESS = 0).

#ifndef CRK8PDPEER_H
#define CRK8PDPEER_H

/// The pendulum: `q̇ = p / (m l²)`, `ṗ = −m g l sin q`.
typedef struct {
  double mgl;
  double inverseInertia;
} crk8pd_pendulum;

/// Advances y = (θ, p_θ) by `duration`.
int crk8pd_pendulum_advance(const crk8pd_pendulum *system, double y[2], double duration,
                            double tolerance);

/// Advances y = (q₁, q₂, p₁, p₂) of the Kepler problem (`ṗ = −q/|q|³`) by `duration`.
int crk8pd_kepler_advance(double y[4], double duration, double tolerance);

#endif
