/// An 8-bit sRGB colour.
public struct RGBColour: Equatable, Sendable {
  public var red: UInt8
  public var green: UInt8
  public var blue: UInt8

  public init(red: UInt8, green: UInt8, blue: UInt8) {
    self.red = red
    self.green = green
    self.blue = blue
  }

  public static let white = RGBColour(red: 255, green: 255, blue: 255)
  public static let black = RGBColour(red: 0, green: 0, blue: 0)
  /// The light grey that separates frames in strips and animations.
  public static let separator = RGBColour(red: 204, green: 204, blue: 204)
  /// Vermilion (Okabe and Ito's colour-blind-safe palette, #D55E00): a forecast beside the
  /// truth in black.
  public static let vermilion = RGBColour(red: 213, green: 94, blue: 0)
  /// Blue (Okabe and Ito, #0072B2): a second forecast.
  public static let blue = RGBColour(red: 0, green: 114, blue: 178)

  /// The colour a fraction `value` of the way from `background` to `self`, each channel
  /// rounded to the nearest integer: a pixel of value v drawn in this colour. A value outside
  /// [0, 1] is taken as the nearer end (NaN as 0).
  public func blended(over background: RGBColour, by value: Float) -> RGBColour {
    let fraction = value >= 0 ? min(value, 1) : 0
    func mix(_ a: UInt8, _ b: UInt8) -> UInt8 {
      UInt8((Float(a) + (Float(b) - Float(a)) * fraction).rounded())
    }
    return RGBColour(
      red: mix(background.red, red), green: mix(background.green, green),
      blue: mix(background.blue, blue))
  }
}
