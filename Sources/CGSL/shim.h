// CGSL: the parts of the GNU Scientific Library that VINKit uses.
// Internal to VINKit; it has no stable API of its own.
#ifndef VINKIT_CGSL_SHIM_H
#define VINKIT_CGSL_SHIM_H

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_machine.h>
#include <gsl/gsl_vector.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_multimin.h>
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
static inline const gsl_multimin_fminimizer_type *cgsl_multimin_nmsimplex2(void) {
  return gsl_multimin_fminimizer_nmsimplex2;
}
static inline const gsl_odeiv2_step_type *cgsl_odeiv2_rk8pd(void) {
  return gsl_odeiv2_step_rk8pd;
}

// MARK: - vinkit-newton: GSL's `newton` multiroot solver without a per-iteration allocation
//
// GSL 2.7's `gsl_multiroot_fdfsolver_newton` factorises the Jacobian with `gsl_linalg_LU_decomp`,
// which allocates and frees a pivot vector (`gsl_vector_uint_alloc`, three `malloc`s) on every
// call, so every Newton iteration allocates. "vinkit-newton" is the same solver type with the
// pivots kept in its state, allocated once with the solver: the same iteration (`set` evaluates
// F and J and zeroes dx; `iterate` solves J dx = -F, steps x += dx and evaluates F and J at the
// new x). The factorisation is the one GSL 2.7's recursive `gsl_linalg_LU_decomp` runs on small
// matrices (`LU_decomp_L2`, LAPACK's DGETF2: partial pivoting by `gsl_blas_idamax`, the column
// below the pivot scaled by its reciprocal, a rank-1 update by `gsl_blas_dger`), and the solve
// is `gsl_linalg_LU_solve`'s (the interchanges on the right-hand side, then `gsl_blas_dtrsv`
// forward and back substitution), so on small systems the iterates agree with `newton`'s bit for
// bit. A zero pivot (an exactly singular Jacobian) is reported as GSL_ESING; GSL's `newton`
// reports it as GSL_EDOM from its LU solve.

/// The state of a vinkit-newton solver: the LU factors of the Jacobian and the row interchanges.
typedef struct {
  /// L (unit lower triangle, below the diagonal) and U (upper triangle) with P J = L U.
  gsl_matrix *lu;
  /// Row j of the factorisation was interchanged with row `pivots[j]` ≥ j.
  size_t *pivots;
} cgsl_vinkit_newton_state;

static inline int cgsl_vinkit_newton_alloc(void *vstate, size_t n) {
  cgsl_vinkit_newton_state *state = (cgsl_vinkit_newton_state *)vstate;
  state->lu = gsl_matrix_calloc(n, n);
  if (state->lu == NULL) return GSL_ENOMEM;
  state->pivots = (size_t *)calloc(n, sizeof(size_t));
  if (state->pivots == NULL) {
    gsl_matrix_free(state->lu);
    return GSL_ENOMEM;
  }
  return GSL_SUCCESS;
}

static inline void cgsl_vinkit_newton_free(void *vstate) {
  cgsl_vinkit_newton_state *state = (cgsl_vinkit_newton_state *)vstate;
  gsl_matrix_free(state->lu);
  free(state->pivots);
}

static inline int cgsl_vinkit_newton_set(
    void *vstate, gsl_multiroot_function_fdf *fdf, gsl_vector *x, gsl_vector *f, gsl_matrix *J,
    gsl_vector *dx) {
  (void)vstate;
  int status = GSL_MULTIROOT_FN_EVAL_F_DF(fdf, x, f, J);
  if (status != GSL_SUCCESS) return status;
  gsl_vector_set_zero(dx);
  return GSL_SUCCESS;
}

/// P A = L U in place, with partial pivoting (Golub and Van Loan, Matrix Computations,
/// Algorithm 3.4.1); the interchanges go to `pivots`. GSL_ESING when a column has no non-zero
/// pivot, that is when A is singular.
static inline int cgsl_vinkit_lu_decompose(gsl_matrix *a, size_t *pivots) {
  const size_t n = a->size1;
  for (size_t j = 0; j < n; ++j) {
    gsl_vector_view column = gsl_matrix_subcolumn(a, j, j, n - j);
    const size_t pivot = j + gsl_blas_idamax(&column.vector);
    pivots[j] = pivot;
    const double ajj = gsl_matrix_get(a, pivot, j);
    if (ajj == 0.0) return GSL_ESING;
    if (pivot != j) gsl_matrix_swap_rows(a, j, pivot);
    if (j + 1 == n) break;
    gsl_vector_view below = gsl_matrix_subcolumn(a, j, j + 1, n - j - 1);
    if (fabs(ajj) >= GSL_DBL_MIN) {
      gsl_blas_dscal(1.0 / ajj, &below.vector);
    } else {
      for (size_t i = 0; i < n - j - 1; ++i) *gsl_vector_ptr(&below.vector, i) /= ajj;
    }
    gsl_vector_view right = gsl_matrix_subrow(a, j, j + 1, n - j - 1);
    gsl_matrix_view trailing = gsl_matrix_submatrix(a, j + 1, j + 1, n - j - 1, n - j - 1);
    gsl_blas_dger(-1.0, &below.vector, &right.vector, &trailing.matrix);
  }
  return GSL_SUCCESS;
}

static inline int cgsl_vinkit_newton_iterate(
    void *vstate, gsl_multiroot_function_fdf *fdf, gsl_vector *x, gsl_vector *f, gsl_matrix *J,
    gsl_vector *dx) {
  cgsl_vinkit_newton_state *state = (cgsl_vinkit_newton_state *)vstate;
  const size_t n = fdf->n;
  gsl_matrix_memcpy(state->lu, J);
  int status = cgsl_vinkit_lu_decompose(state->lu, state->pivots);
  if (status != GSL_SUCCESS) return status;
  // e = J⁻¹ F: the interchanges on F, then L y = P F and U e = y.
  gsl_vector_memcpy(dx, f);
  for (size_t i = 0; i < n; ++i) {
    if (state->pivots[i] != i) gsl_vector_swap_elements(dx, i, state->pivots[i]);
  }
  gsl_blas_dtrsv(CblasLower, CblasNoTrans, CblasUnit, state->lu, dx);
  gsl_blas_dtrsv(CblasUpper, CblasNoTrans, CblasNonUnit, state->lu, dx);
  for (size_t i = 0; i < n; ++i) {
    const double e = gsl_vector_get(dx, i);
    gsl_vector_set(dx, i, -e);
    gsl_vector_set(x, i, gsl_vector_get(x, i) - e);
  }
  status = GSL_MULTIROOT_FN_EVAL_F_DF(fdf, x, f, J);
  return status == GSL_SUCCESS ? GSL_SUCCESS : GSL_EBADFUNC;
}

/// The vinkit-newton solver type, for `gsl_multiroot_fdfsolver_alloc`.
static inline const gsl_multiroot_fdfsolver_type *cgsl_multiroot_vinkit_newton(void) {
  static const gsl_multiroot_fdfsolver_type type = {
      "vinkit-newton",
      sizeof(cgsl_vinkit_newton_state),
      &cgsl_vinkit_newton_alloc,
      &cgsl_vinkit_newton_set,
      &cgsl_vinkit_newton_iterate,
      &cgsl_vinkit_newton_free,
  };
  return &type;
}

#endif
