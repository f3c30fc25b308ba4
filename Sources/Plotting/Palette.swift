/// The colours given to series without one: the Okabe–Ito palette, which stays distinguishable
/// for the common forms of colour blindness (Okabe and Ito, *Color Universal Design*, 2008),
/// without its yellow (too light on white), followed by black.
public enum Palette {
  /// Blue, vermillion, bluish green, reddish purple, orange, sky blue, black.
  public static let colors = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
  ]

  /// The colour of the `index`-th series (cycling).
  public static func color(_ index: Int) -> String { colors[index % colors.count] }
}
