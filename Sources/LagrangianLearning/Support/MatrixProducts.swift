import COpenBLAS

/// OpenBLAS, which runs the matrix products of the networks' dense layers.
public enum MatrixProducts {
  /// The number of threads OpenBLAS runs each product on: the user's setting
  /// (`OPENBLAS_NUM_THREADS`, or 1 with Debian's serial variant of the library), read and
  /// never changed. Work that runs products side by side, such as independent fits, should run
  /// at most `cores / threadCount` of them at once: OpenBLAS's threads wait busily, and
  /// oversubscribed cores slow every product down (Docs/Benchmarks.md).
  public static var threadCount: Int { Int(copenblas_thread_count()) }
}
