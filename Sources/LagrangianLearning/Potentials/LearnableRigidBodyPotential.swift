import Manifolds
import _Differentiation

/// A potential energy `U_θ(R)` on the rotation group with trainable parameters θ, the
/// potential of a ``VINSO3``, as ``LearnablePotential`` is that of the VINs on Rⁿ.
///
/// A rigid body's dynamics use the potential only through its moment M(R), the body-frame
/// torque with `Ŝ(M) = (∂U/∂R)ᵀR − Rᵀ(∂U/∂R)` (Lee, Leok, McClamroch, CMAME 196, 2007, §2), so
/// training needs the pullback of `(θ, R) ↦ M(R)`, written as explicit code (Swift has no
/// higher-order automatic differentiation). Attitudes are plain 3×3 matrices: the rollout's
/// adjoint works in the ambient coordinates of R.
public protocol LearnableRigidBodyPotential: ParameterFlattening, Sendable {
  /// `U_θ(R)`.
  func energy(at attitude: Matrix3) -> Double
  /// The moment `M(R)`.
  func moment(at attitude: Matrix3) -> Vector3
  /// Adds the pullback of `(θ, R) ↦ M(R)` for the cotangent M̄ to R̄ (`attitudeBar`) and θ̄
  /// (`parameterBar`, accumulated in place).
  func pullbackMoment(
    at attitude: Matrix3, cotangent: Vector3, attitudeBar: inout Matrix3,
    parameterBar: inout TangentVector)

  /// ``moment(at:)`` between buffers: the moments at the `batch` attitudes at `attitudes` (9
  /// row-major entries each) written to `moments` (3 each), with any scratch memory taken from
  /// `workspace`. Default: attitude by attitude; network potentials evaluate all in one pass.
  func moments(
    at attitudes: UnsafePointer<Double>, batch: Int, into moments: UnsafeMutablePointer<Double>,
    workspace: RolloutWorkspace)

  /// ``pullbackMoment(at:cotangent:attitudeBar:parameterBar:)`` for the `batch` attitudes at
  /// `attitudes` and the cotangents M̄ at `cotangent` (3 each): adds to the attitude cotangents
  /// at `attitudeBar` (9 each) and to `parameterBar`.
  func accumulateMomentPullback(
    at attitudes: UnsafePointer<Double>, batch: Int, cotangent: UnsafePointer<Double>,
    attitudeBar: UnsafeMutablePointer<Double>, parameterBar: inout TangentVector,
    workspace: RolloutWorkspace)
}

extension LearnableRigidBodyPotential {
  public func moments(
    at attitudes: UnsafePointer<Double>, batch: Int, into moments: UnsafeMutablePointer<Double>,
    workspace: RolloutWorkspace
  ) {
    for b in 0..<batch {
      let m = moment(at: Matrix3(attitudes + 9 * b))
      for i in 0..<3 { moments[3 * b + i] = m[i] }
    }
  }

  public func accumulateMomentPullback(
    at attitudes: UnsafePointer<Double>, batch: Int, cotangent: UnsafePointer<Double>,
    attitudeBar: UnsafeMutablePointer<Double>, parameterBar: inout TangentVector,
    workspace: RolloutWorkspace
  ) {
    for b in 0..<batch {
      var rBar = Matrix3(attitudeBar + 9 * b)
      let mBar = Vector3(cotangent[3 * b], cotangent[3 * b + 1], cotangent[3 * b + 2])
      pullbackMoment(
        at: Matrix3(attitudes + 9 * b), cotangent: mBar, attitudeBar: &rBar,
        parameterBar: &parameterBar)
      rBar.store(to: attitudeBar + 9 * b)
    }
  }
}

/// The heavy-body potential `U = e_zᵀRc` with learnable `c = m g ρ` (0 for a free body):
/// `∂U/∂R = e_z cᵀ`, `M(R) = (Rᵀe_z) × c`, and the pullback `R̄ e_z-row += c × M̄`,
/// `c̄ += M̄ × (Rᵀe_z)`.
public struct RigidBodyGravityPotential: LearnableRigidBodyPotential {
  /// `c`, three entries.
  public var coefficients: ParameterVector

  /// `U = e_zᵀRc`.
  public init(c: Vector3 = .zero) {
    coefficients = ParameterVector(c.components)
  }

  /// c as a vector.
  public var c: Vector3 {
    let p = coefficients.scalars
    return Vector3(p[0], p[1], p[2])
  }

  public var parameterCount: Int { 3 }
  public var flatParameters: [Double] {
    get { coefficients.scalars }
    set { coefficients = ParameterVector(newValue) }
  }
  public func flatten(_ tangent: Self.TangentVector) -> [Double] {
    tangent.coefficients.dense(count: 3)
  }

  public func energy(at attitude: Matrix3) -> Double { attitude.row2.dot(c) }

  public func moment(at attitude: Matrix3) -> Vector3 { attitude.row2.cross(c) }

  public func pullbackMoment(
    at attitude: Matrix3, cotangent mBar: Vector3, attitudeBar: inout Matrix3,
    parameterBar: inout Self.TangentVector
  ) {
    let c = self.c
    attitudeBar.row2 += c.cross(mBar)
    let cBar = mBar.cross(attitude.row2)
    if parameterBar.coefficients.scalars.isEmpty {
      parameterBar.coefficients = ParameterVector(zeros: 3)
    }
    for i in 0..<3 { parameterBar.coefficients.scalars[i] += cBar[i] }
  }
}

/// A network potential `U = f_θ(R)` of the nine entries of R (row by row): with its input
/// gradient `G = ∂U/∂R`, `M = vee(GᵀR − RᵀG)`; the pullback uses
/// `⟨M̄, M⟩ = ½⟨M̄^, GᵀR − RᵀG⟩`: `R̄ += G M̄^`, `Ḡ = −R M̄^` through the network's
/// input-gradient pullback (mixed second derivatives) to θ and R.
public struct RigidBodyMLPPotential: LearnableRigidBodyPotential {
  /// The network, 9 inputs and one output.
  public var network: MultilayerPerceptron

  /// - Throws: ``LearningError/dimensionMismatch(name:expected:actual:)`` unless the network
  ///   maps R⁹ to R.
  public init(network: MultilayerPerceptron) throws(LearningError) {
    let shape = network.shape
    guard shape.inputDimension == 9, shape.outputDimension == 1 else {
      throw .dimensionMismatch(
        name: "SO(3) potential network inputs", expected: 9, actual: shape.inputDimension)
    }
    self.network = network
  }

  public var parameterCount: Int { network.parameterCount }
  public var flatParameters: [Double] {
    get { network.flatParameters }
    set { network.flatParameters = newValue }
  }
  public func flatten(_ tangent: Self.TangentVector) -> [Double] {
    network.flatten(tangent.network)
  }

  public func energy(at attitude: Matrix3) -> Double { network(attitude.entries)[0] }

  /// `M(R)`; evaluates the network's input gradient (which allocates).
  public func moment(at attitude: Matrix3) -> Vector3 {
    let g = network.inputGradient(attitude.entries, batch: 1).gradient
    return momentFromGradient(Matrix3(entries: g), attitude)
  }

  /// The input gradients G at all attitudes in one pass of the network, then
  /// `M = vee(GᵀR − RᵀG)` attitude by attitude.
  public func moments(
    at attitudes: UnsafePointer<Double>, batch: Int, into moments: UnsafeMutablePointer<Double>,
    workspace: RolloutWorkspace
  ) {
    let gradients = workspace.buffer(.embedding, count: 9 * batch)
    network.inputGradient(attitudes, batch: batch, into: gradients, workspace: workspace)
    for b in 0..<batch {
      let m = momentFromGradient(Matrix3(gradients + 9 * b), Matrix3(attitudes + 9 * b))
      for i in 0..<3 { moments[3 * b + i] = m[i] }
    }
  }

  /// The pullback above for all attitudes: G in one pass, `R̄ += G M̄^` and `Ḡ = −R M̄^`
  /// attitude by attitude, then the network's input-gradient pullback for all in one pass.
  public func accumulateMomentPullback(
    at attitudes: UnsafePointer<Double>, batch: Int, cotangent: UnsafePointer<Double>,
    attitudeBar: UnsafeMutablePointer<Double>, parameterBar: inout Self.TangentVector,
    workspace: RolloutWorkspace
  ) {
    let scratch = workspace.buffer(.embedding, count: 27 * batch)
    let (gradients, gradientBars, products) = (scratch, scratch + 9 * batch, scratch + 18 * batch)
    network.inputGradient(attitudes, batch: batch, into: gradients, workspace: workspace)
    for b in 0..<batch {
      let mHat = SO3.hat(Vector3(cotangent[3 * b], cotangent[3 * b + 1], cotangent[3 * b + 2]))
      (Matrix3(attitudeBar + 9 * b) + Matrix3(gradients + 9 * b) * mHat)
        .store(to: attitudeBar + 9 * b)
      (-1 * (Matrix3(attitudes + 9 * b) * mHat)).store(to: gradientBars + 9 * b)
    }
    if parameterBar.network.parameters.scalars.isEmpty {
      parameterBar.network.parameters = ParameterVector(zeros: network.parameterCount)
    }
    parameterBar.network.parameters.scalars.withUnsafeMutableBufferPointer { g in
      guard let g = g.baseAddress else { return }
      network.accumulateInputGradientPullback(
        attitudes, batch: batch, cotangent: gradientBars, into: g, hessianProduct: products,
        workspace: workspace)
    }
    for i in 0..<(9 * batch) { attitudeBar[i] += products[i] }
  }

  public func pullbackMoment(
    at attitude: Matrix3, cotangent mBar: Vector3, attitudeBar: inout Matrix3,
    parameterBar: inout Self.TangentVector
  ) {
    if parameterBar.network.parameters.scalars.isEmpty {
      parameterBar.network.parameters = ParameterVector(zeros: network.parameterCount)
    }
    let pass = network.inputGradient(attitude.entries, batch: 1)
    let g = Matrix3(entries: pass.gradient)
    let mHat = SO3.hat(mBar)
    attitudeBar = attitudeBar + g * mHat
    let gBar = -1 * (attitude * mHat)
    let through = network.accumulateInputGradientPullback(
      pass, cotangent: gBar.entries, into: &parameterBar.network.parameters.scalars)
    attitudeBar = attitudeBar + Matrix3(entries: through)
  }
}
