import COpenBLAS
import RealModule

/// A Laplacian eigenmap of frames (Belkin and Niyogi, *Laplacian eigenmaps for dimensionality
/// reduction and data representation*, Neural Computation 2003): the frames are the vertices of
/// their symmetric k-nearest-neighbour graph (squared Euclidean distance between frames, an edge
/// of weight 1 when either frame is among the other's k nearest), and the coordinates of frame
/// i are `y_i = D^{−1/2} v_i` for the eigenvectors v of the normalised adjacency
/// `D^{−1/2} W D^{−1/2}` with the largest eigenvalues after the trivial one (the smallest
/// non-zero eigenvalues of the normalised graph Laplacian). Frames of a rotating rod lie on a
/// circle, and the first two coordinates go round it once.
struct SpectralEmbedding {
  /// The frames' coordinates, `dimension` numbers per frame.
  let coordinates: [Double]
  /// The eigenvalues of the normalised adjacency behind them, descending (1 is the trivial one
  /// before them).
  let eigenvalues: [Double]

  /// Whether the frames lie on a closed curve rather than an open one, from the Laplacian
  /// eigenvalues `λ = 1 − μ` of the first two coordinates: a cycle graph's are a double
  /// eigenvalue, a path graph's about 1 : 4 (`(πk/n)²`, k = 1, 2). Closed when `λ₂ < 2.5 λ₁`.
  /// (On the pendulum's training videos of seeds 1–12 the ratio is 1.3–1.7 where a video goes
  /// over the top or the swings reach within about 0.3 rad of it, and 4.1–5.5 where they do not.)
  var isClosed: Bool { 1 - eigenvalues[1] < 2.5 * (1 - eigenvalues[0]) }

  /// An angle for every frame, in the frames' order along the curve. On a closed curve it is
  /// the angle of the first two coordinates, `atan2(y₂, y₁)`, which goes round once. On an open
  /// curve the first coordinate alone orders the frames (a path graph's is `cos(π s)` at the
  /// fraction s of the way along it), and the frames are spread over `arcAngle`:
  /// `(s − ½) arcAngle` with `s = arccos(u)/π`, u the first coordinate scaled to [−1, 1]. (The
  /// angle of the first two coordinates of an open curve goes three quarters of the way round,
  /// fastest in the middle: consecutive frames there end up further apart than a VIN-SO(2) step
  /// can go.)
  func angles(arcAngle: Double) -> [Double] {
    let m = eigenvalues.count
    let n = coordinates.count / m
    if isClosed {
      return (0..<n).map { Double.atan2(y: coordinates[$0 * m + 1], x: coordinates[$0 * m]) }
    }
    let first = (0..<n).map { coordinates[$0 * m] }
    let (low, high) = (first.min() ?? 0, first.max() ?? 0)
    return first.map {
      let u = high > low ? 2 * ($0 - low) / (high - low) - 1 : 0
      return (Double.acos(min(1, max(-1, u))) / Double.pi - 0.5) * arcAngle
    }
  }

  /// The most frames embedded: the dense graph and its eigenproblem take 3 n² numbers (at 4000
  /// frames 384 MB) and O(n³) operations.
  static let maximumFrameCount = 4000

  /// The stride of an even sample of `n` frames that holds at most `maximum`: frames 0, s,
  /// 2s, … (s = ⌈n / maximum⌉).
  static func sampleStride(frameCount n: Int, maximum: Int = maximumFrameCount) -> Int {
    max(1, (n + maximum - 1) / maximum)
  }

  /// - Parameters:
  ///   - frames: `count` frames of `area` pixels, back to back.
  /// - Throws: ``LearningError/notEnoughData(detail:)`` for fewer frames than `neighbours + 1`
  ///   or `dimension + 2`, or a neighbourhood graph in more than one piece;
  ///   ``LearningError/invalidConfiguration(name:value:requirement:)`` for more frames than
  ///   ``maximumFrameCount`` or when LAPACK fails.
  init(frames: [Double], count n: Int, area: Int, neighbours k: Int, dimension m: Int)
    throws(LearningError)
  {
    guard n > k, n >= m + 2, k >= 1 else {
      throw .notEnoughData(
        detail:
          "a spectral embedding of \(n) frames in \(m) dimensions with \(k) neighbours needs at least \(max(k + 1, m + 2)) frames"
      )
    }
    guard n <= Self.maximumFrameCount else {
      throw .invalidConfiguration(
        name: "spectral start", value: "\(n) frames",
        requirement:
          "takes at most \(Self.maximumFrameCount) frames: its neighbourhood graph is dense, \(n) × \(n) numbers"
      )
    }
    // Squared distances |x_i|² + |x_j|² − 2 x_i·x_j from the Gram matrix.
    var gram = [Double](repeating: 0, count: n * n)
    frames.withUnsafeBufferPointer { x in
      gram.withUnsafeMutableBufferPointer { g in
        guard let xb = x.baseAddress, let gb = g.baseAddress else { return }
        copenblas_dgemm_row_major(
          0, 1, Int32(n), Int32(n), Int32(area), 1, xb, Int32(area), xb, Int32(area), 0, gb,
          Int32(n))
      }
    }
    var adjacency = [Double](repeating: 0, count: n * n)
    var order = [Int](repeating: 0, count: n)
    var distances = [Double](repeating: 0, count: n)
    for i in 0..<n {
      for j in 0..<n { distances[j] = gram[i * n + i] + gram[j * n + j] - 2 * gram[i * n + j] }
      distances[i] = -.infinity
      for j in 0..<n { order[j] = j }
      order.sort { (distances[$0], $0) < (distances[$1], $1) }
      for j in order[1...k] {
        adjacency[i * n + j] = 1
        adjacency[j * n + i] = 1
      }
    }
    var scale = [Double](repeating: 0, count: n)
    for i in 0..<n {
      var degree = 0.0
      for j in 0..<n { degree += adjacency[i * n + j] }
      scale[i] = 1 / degree.squareRoot()
    }
    for i in 0..<n {
      for j in 0..<n { adjacency[i * n + j] *= scale[i] * scale[j] }
    }
    // The m + 1 largest eigenvalues and their eigenvectors.
    var values = [Double](repeating: 0, count: n)
    var vectors = [Double](repeating: 0, count: n * (m + 1))
    var support = [blasint](repeating: 0, count: 2 * n)
    var work = [Double](repeating: 0, count: 26 * n)
    var integerWork = [blasint](repeating: 0, count: 10 * n)
    let info = copenblas_symmetric_eigenvectors(
      Int32(n), &adjacency, Int32(n - m), Int32(n), &values, &vectors, &support, &work,
      &integerWork)
    guard info == 0 else {
      throw .invalidConfiguration(
        name: "spectral embedding", value: "LAPACK dsyevr info \(info)",
        requirement: "the eigenvalue problem must be solved")
    }
    // Ascending: values[m] is the trivial eigenvalue 1, values[m − 1] the next.
    guard values[m - 1] < 1 - 1e-9 else {
      throw .notEnoughData(
        detail:
          "the frames' \(k)-nearest-neighbour graph falls into separate pieces: no spectral embedding joins them"
      )
    }
    eigenvalues = (0..<m).map { values[m - 1 - $0] }
    var coordinates = [Double](repeating: 0, count: n * m)
    for c in 0..<m {
      let column = m - 1 - c
      for i in 0..<n { coordinates[i * m + c] = scale[i] * vectors[column * n + i] }
    }
    self.coordinates = coordinates
  }
}
