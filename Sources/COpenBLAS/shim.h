// COpenBLAS: OpenBLAS's matrix products for the dense layers of LagrangianLearning's networks,
// as row-major `dgemm` and `dgemv`. Internal to VINKit; it has no stable API of its own.
//
// The include path comes from pkg-config `openblas` (Debian: libopenblas-dev). The wrappers call
// OpenBLAS's Fortran entry points (`dgemm_`, `dgemv_`) rather than `cblas_dgemm`: GSL, which
// the same programs link, ships its own reference CBLAS (libgslcblas, a dependency of libgsl)
// with the same `cblas_*` symbols and with `enum CBLAS_TRANSPOSE` declared differently, so a
// `cblas_dgemm` call could bind to GSL's unoptimised loops and the two headers cannot be
// imported together. The Fortran names exist only in OpenBLAS. A row-major product C = op(A)
// op(B) is the column-major product Cᵀ = op(B)ᵀ op(A)ᵀ, which is what the wrappers pass.
//
// Nothing here changes a process-wide setting: the number of OpenBLAS threads is the user's
// (OPENBLAS_NUM_THREADS, or the serial variant of the library).
#ifndef VINKIT_COPENBLAS_SHIM_H
#define VINKIT_COPENBLAS_SHIM_H

#include <f77blas.h>

/// C = alpha op(A) op(B) + beta C for row-major A, B, C (C is m × n, op(A) m × k; `transpose_a`
/// and `transpose_b` are 0 or 1), as cblas_dgemm(CblasRowMajor, ...).
static inline void copenblas_dgemm_row_major(
    int transpose_a, int transpose_b, int m, int n, int k, double alpha, const double *a,
    int lda, const double *b, int ldb, double beta, double *c, int ldc) {
  char ta = transpose_a ? 'T' : 'N';
  char tb = transpose_b ? 'T' : 'N';
  blasint mm = m, nn = n, kk = k, la = lda, lb = ldb, lc = ldc;
  dgemm_(&tb, &ta, &nn, &mm, &kk, &alpha, (double *)b, &lb, (double *)a, &la, &beta, c, &lc);
}

/// y = alpha op(A) x + beta y for the row-major m × n matrix A (`transpose` 0 or 1), with unit
/// strides, as cblas_dgemv(CblasRowMajor, ...).
static inline void copenblas_dgemv_row_major(
    int transpose, int m, int n, double alpha, const double *a, int lda, const double *x,
    double beta, double *y) {
  char t = transpose ? 'N' : 'T';
  blasint mm = n, nn = m, la = lda, one = 1;
  dgemv_(&t, &mm, &nn, &alpha, (double *)a, &la, (double *)x, &one, &beta, y, &one);
}

/// LAPACK's dsyevr (bundled with OpenBLAS): selected eigenvalues and eigenvectors of a real
/// symmetric matrix by the MRRR algorithm.
void dsyevr_(char *jobz, char *range, char *uplo, blasint *n, double *a, blasint *lda,
             double *vl, double *vu, blasint *il, blasint *iu, double *abstol, blasint *m,
             double *w, double *z, blasint *ldz, blasint *isuppz, double *work, blasint *lwork,
             blasint *iwork, blasint *liwork, blasint *info);

/// The eigenvalues `il … iu` (1-based, ascending) of the symmetric n × n matrix `a` (row-major
/// or column-major alike; it is overwritten) and their eigenvectors, column j of the
/// column-major n × (iu − il + 1) matrix `z`; `work` holds at least 26 n doubles and `iwork`
/// 10 n integers, `isuppz` 2 n. Returns LAPACK's info (0: success).
static inline int copenblas_symmetric_eigenvectors(
    int n, double *a, int il, int iu, double *w, double *z, blasint *isuppz, double *work,
    blasint *iwork) {
  char jobz = 'V', range = 'I', uplo = 'U';
  blasint nn = n, lda = n, ill = il, iuu = iu, m = 0, ldz = n, lwork = 26 * n, liwork = 10 * n;
  blasint info = 0;
  double vl = 0, vu = 0, abstol = 0;
  dsyevr_(&jobz, &range, &uplo, &nn, a, &lda, &vl, &vu, &ill, &iuu, &abstol, &m, w, z, &ldz,
          isuppz, work, &lwork, iwork, &liwork, &info);
  return (int)info;
}

/// The number of threads OpenBLAS runs a large product on (its own query; it sets nothing).
int openblas_get_num_threads(void);

static inline int copenblas_thread_count(void) { return openblas_get_num_threads(); }

#endif
