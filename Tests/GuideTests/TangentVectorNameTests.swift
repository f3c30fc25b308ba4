import Testing
import VINKit
import _Differentiation

/// User code that imports VINKit and writes the plain name `TangentVector` in a
/// `ParameterFlattening` conformance, as `QuadraticPotential` does inside LagrangianLearning.
/// Before Manifolds' protocol was renamed `TangentSpaceVector`, the name meant that protocol
/// here, and this file did not compile ("does not conform to protocol 'ParameterFlattening'").
struct RingParameters: ParameterFlattening {
  var radius: Double
  var width: Double

  var parameterCount: Int { 2 }
  var flatParameters: [Double] {
    get { [radius, width] }
    set {
      radius = newValue[0]
      width = newValue[1]
    }
  }
  func flatten(_ tangent: TangentVector) -> [Double] { [tangent.radius, tangent.width] }
}

@Suite("The name TangentVector in code that imports VINKit")
struct TangentVectorNameTests {
  @Test("means the Differentiable type's own tangent type, and flattens in parameter order")
  func plainName() {
    let parameters = RingParameters(radius: 1, width: 0.1)
    let (value, gradient) = valueWithGradient(at: parameters) { $0.radius * $0.width }
    #expect(value == 0.1)
    #expect(parameters.flatten(gradient) == [0.1, 1])
  }
}
