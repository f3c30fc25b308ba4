#include "CVerletPeer.h"

#include <math.h>

void cverlet_pendulum_run(const cverlet_pendulum *system, cverlet_pendulum_state *state,
                          long steps) {
  const double h = system->stepSize;
  const double half = 0.5 * h;
  double q = state->q;
  double p = state->p;
  double gradient = system->mgl * sin(q);
  for (long k = 0; k < steps; k++) {
    p -= half * gradient;
    q += h * (system->inverseInertia * p);
    gradient = system->mgl * sin(q);
    p -= half * gradient;
  }
  state->q = q;
  state->p = p;
}

void cverlet_kepler_run(const cverlet_kepler *system, cverlet_kepler_state *state, long steps) {
  const double h = system->stepSize;
  const double half = 0.5 * h;
  double q0 = state->q[0], q1 = state->q[1];
  double p0 = state->p[0], p1 = state->p[1];
  double r2 = q0 * q0 + q1 * q1;
  double inverseR3 = 1 / (r2 * sqrt(r2));
  double g0 = q0 * inverseR3, g1 = q1 * inverseR3;
  for (long k = 0; k < steps; k++) {
    p0 -= half * g0;
    p1 -= half * g1;
    q0 += h * p0;
    q1 += h * p1;
    r2 = q0 * q0 + q1 * q1;
    inverseR3 = 1 / (r2 * sqrt(r2));
    g0 = q0 * inverseR3;
    g1 = q1 * inverseR3;
    p0 -= half * g0;
    p1 -= half * g1;
  }
  state->q[0] = q0;
  state->q[1] = q1;
  state->p[0] = p0;
  state->p[1] = p1;
}
