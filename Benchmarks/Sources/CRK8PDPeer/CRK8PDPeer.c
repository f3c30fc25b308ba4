#include "CRK8PDPeer.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_odeiv2.h>
#include <math.h>

static int pendulum_field(double t, const double y[], double f[], void *params) {
  (void)t;
  const crk8pd_pendulum *system = params;
  f[0] = system->inverseInertia * y[1];
  f[1] = -system->mgl * sin(y[0]);
  return GSL_SUCCESS;
}

static int kepler_field(double t, const double y[], double f[], void *params) {
  (void)t;
  (void)params;
  const double r2 = y[0] * y[0] + y[1] * y[1];
  const double inverseR3 = 1 / (r2 * sqrt(r2));
  f[0] = y[2];
  f[1] = y[3];
  f[2] = -y[0] * inverseR3;
  f[3] = -y[1] * inverseR3;
  return GSL_SUCCESS;
}

static int advance(gsl_odeiv2_system *system, double *y, double duration, double tolerance) {
  gsl_set_error_handler_off();  // failures are returned, not aborted on
  gsl_odeiv2_driver *driver = gsl_odeiv2_driver_alloc_y_new(
      system, gsl_odeiv2_step_rk8pd, fmin(duration, 1e-3), tolerance, tolerance);
  if (driver == NULL) return GSL_ENOMEM;
  double t = 0;
  const int status = gsl_odeiv2_driver_apply(driver, &t, duration, y);
  gsl_odeiv2_driver_free(driver);
  return status;
}

int crk8pd_pendulum_advance(const crk8pd_pendulum *system, double y[2], double duration,
                            double tolerance) {
  gsl_odeiv2_system ode = {pendulum_field, NULL, 2, (void *)system};
  return advance(&ode, y, duration, tolerance);
}

int crk8pd_kepler_advance(double y[4], double duration, double tolerance) {
  gsl_odeiv2_system ode = {kepler_field, NULL, 4, NULL};
  return advance(&ode, y, duration, tolerance);
}
