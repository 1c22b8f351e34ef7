using System.Globalization;

namespace OnDemandGateway.Tokenization;

/// <summary>
/// The text the patterns run on. Lone surrogates become U+FFFD (as tiktoken does before encoding), and when
/// the text has characters outside the BMP, each becomes one BMP character of the same Unicode category, so
/// that \p{L}, \p{N} and \p{M} see a whole character instead of two surrogate halves; match offsets in the
/// stand-in text map back to the original through <see cref="ToOriginal"/>.
/// </summary>
internal readonly ref struct StandInText
{
    private readonly int[]? _toOriginal;

    private StandInText(ReadOnlySpan<char> original, ReadOnlySpan<char> matchable, int[]? toOriginal)
    {
        Original = original;
        Matchable = matchable;
        _toOriginal = toOriginal;
    }

    /// <summary>The text to encode into bytes (lone surrogates already replaced).</summary>
    public ReadOnlySpan<char> Original { get; }

    /// <summary>The text to run the pattern on.</summary>
    public ReadOnlySpan<char> Matchable { get; }

    /// <summary>Maps an offset in <see cref="Matchable"/> to the offset in <see cref="Original"/>.</summary>
    public int ToOriginal(int matchableIndex) => _toOriginal is null ? matchableIndex : _toOriginal[matchableIndex];

    public static StandInText Create(ReadOnlySpan<char> text)
    {
        if (text.IndexOfAnyInRange('\uD800', '\uDFFF') < 0)
        {
            return new StandInText(text, text, null);
        }
        var original = new char[text.Length];
        var matchable = new char[text.Length];
        var toOriginal = new int[text.Length + 1];
        var m = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            toOriginal[m] = i;
            if (!char.IsSurrogate(c))
            {
                original[i] = matchable[m++] = c;
            }
            else if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                original[i] = c;
                original[i + 1] = text[i + 1];
                matchable[m++] = StandIn(CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(c, text[i + 1])));
                i++;
            }
            else
            {
                original[i] = matchable[m++] = '\uFFFD';
            }
        }
        toOriginal[m] = text.Length;
        return new StandInText(original, matchable.AsSpan(0, m), toOriginal);
    }

    /// <summary>A BMP character of <paramref name="category"/> that none of the patterns names literally.</summary>
    internal static char StandIn(UnicodeCategory category) => category switch
    {
        UnicodeCategory.UppercaseLetter => 'A',
        UnicodeCategory.LowercaseLetter => 'a',
        UnicodeCategory.TitlecaseLetter => '\u01C5',
        UnicodeCategory.ModifierLetter => '\u02B0',
        UnicodeCategory.OtherLetter => '\u4E00',
        UnicodeCategory.NonSpacingMark => '\u0300',
        UnicodeCategory.SpacingCombiningMark => '\u0903',
        UnicodeCategory.EnclosingMark => '\u20DD',
        UnicodeCategory.DecimalDigitNumber => '0',
        UnicodeCategory.LetterNumber => '\u2160',
        UnicodeCategory.OtherNumber => '\u00B2',
        // Everything else (symbols, punctuation, format, private use, unassigned) is "not letter, number or
        // space" to every pattern; non-BMP code points are never white space.
        _ => '\u00A9',
    };
}
