// CGSL: the parts of the GNU Scientific Library that VINKit uses.
// Internal to VINKit; it has no stable API of its own.
#ifndef VINKIT_CGSL_SHIM_H
#define VINKIT_CGSL_SHIM_H

#include <gsl/gsl_errno.h>
#include <gsl/gsl_vector.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_multiroots.h>
#include <gsl/gsl_odeiv2.h>

// Swift 6 rejects GSL's mutable global solver-type pointers; expose them through accessors.
static inline const gsl_multiroot_fdfsolver_type *cgsl_multiroot_newton(void) {
  return gsl_multiroot_fdfsolver_newton;
}
static inline const gsl_multiroot_fdfsolver_type *cgsl_multiroot_gnewton(void) {
  return gsl_multiroot_fdfsolver_gnewton;
}
static inline const gsl_multiroot_fdfsolver_type *cgsl_multiroot_hybridsj(void) {
  return gsl_multiroot_fdfsolver_hybridsj;
}
static inline const gsl_multiroot_fsolver_type *cgsl_multiroot_hybrids(void) {
  return gsl_multiroot_fsolver_hybrids;
}
static inline const gsl_odeiv2_step_type *cgsl_odeiv2_rk8pd(void) {
  return gsl_odeiv2_step_rk8pd;
}

#endif
