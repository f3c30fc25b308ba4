import _Differentiation

/// A potential energy `V_θ(q)` on R^n with trainable parameters θ.
///
/// Both the energy and its input gradient `∇_q V_θ(q)` are differentiable with respect to θ
/// and q. Learned dynamics use only the gradient (the force is `−∇_q V`), so training needs
/// the pullback of `(θ, q) ↦ ∇_q V_θ(q)`: mixed second derivatives. Swift has no
/// higher-order automatic differentiation, which is why the gradient is a requirement written
/// as explicit code rather than derived from `energy(at:)`.
///
/// To plug in your own potential, write a `Differentiable` struct whose stored `Double`
/// properties are the parameters, implement both functions as ordinary differentiable Swift
/// (or register `@derivative(of:)` pullbacks for speed), and lay the parameters out in
/// ``ParameterFlattening``. ``QuadraticPotential`` is a complete small example.
public protocol LearnablePotential: ParameterFlattening, Sendable {
  /// The configuration dimension n.
  var dimension: Int { get }
  /// `V_θ(q)`.
  @differentiable(reverse)
  func energy(at q: [Double]) -> Double
  /// `∇_q V_θ(q)` (n entries).
  @differentiable(reverse)
  func gradient(at q: [Double]) -> [Double]
}
