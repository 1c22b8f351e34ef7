using System.Text.RegularExpressions;

namespace OnDemandGateway.Tokenization;

/// <summary>
/// tiktoken's pre-tokenisation patterns, rewritten for .NET. Two deliberate differences from the Python text:
/// contractions are spelled out because .NET's <c>(?i)</c> does not equate U+017F (ſ) with <c>s</c> as Rust's
/// regex does, and the patterns only ever see BMP text (<see cref="StandInText"/> maps the rest), because .NET
/// matches UTF-16 code units and a surrogate half is in no letter or number class. Counting splits with the
/// hand-written <see cref="PieceSplitter"/>s, which are faster; these patterns are the reference they are tested against.
/// </summary>
internal static partial class TiktokenPatterns
{
    private const string Contraction = "'(?:[sSſ]|[tT]|[rR][eE]|[vV][eE]|[mM]|[lL][lL]|[dD])";

    /// <summary>cl100k_base, as tiktoken spells it today: <c>'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|
    /// \p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s</c>. Possessive quantifiers become
    /// atomic groups. <c>\s++$</c> keeps trailing white space in one piece ("\n  " at the end is one piece, not
    /// "\n" + "  " as in tiktoken's first cl100k pattern); <c>$</c> is <c>\z</c> because .NET's <c>$</c> also
    /// matches before a final newline.</summary>
    [GeneratedRegex(
        Contraction
        + @"|(?>[^\r\n\p{L}\p{N}]?)(?>\p{L}+)"
        + @"|(?>\p{N}{1,3})"
        + @"| ?(?>[^\s\p{L}\p{N}]+)(?>[\r\n]*)"
        + @"|(?>\s+)\z"
        + @"|\s*[\r\n]"
        + @"|\s+(?!\S)"
        + @"|\s",
        RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    public static partial Regex Cl100k();

    /// <summary>o200k_base: letter runs split at case changes, contractions glued to the word before them.</summary>
    [GeneratedRegex(
        @"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(" + Contraction + ")?"
        + @"|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(" + Contraction + ")?"
        + @"|\p{N}{1,3}"
        + @"| ?[^\s\p{L}\p{N}]+[\r\n/]*"
        + @"|\s*[\r\n]+"
        + @"|\s+(?!\S)"
        + @"|\s+",
        RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    public static partial Regex O200k();
}
