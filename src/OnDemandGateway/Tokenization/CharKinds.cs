using System.Globalization;
using System.Runtime.CompilerServices;

namespace OnDemandGateway.Tokenization;

/// <summary>
/// Classifies code points the way .NET's regex sees them (\p{..} by <see cref="CharUnicodeInfo"/>, \s by
/// <see cref="char.IsWhiteSpace(char)"/>), so the hand-written splitters agree with <see cref="TiktokenPatterns"/>.
/// A surrogate pair is one code point of its own category, a lone surrogate is U+FFFD, as tiktoken reads them.
/// </summary>
internal static class CharKinds
{
    // One byte per BMP code point: 64 KB, of which ordinary text touches a few lines.
    private static readonly CharKind[] Bmp = BuildBmp();

    /// <summary>The kind of the code point at <paramref name="i"/>, and how many chars it takes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static CharKind At(ReadOnlySpan<char> text, int i, out int width)
    {
        var c = text[i];
        width = 1;
        if (!char.IsSurrogate(c))
        {
            return Bmp[c];
        }
        return Surrogate(text, i, ref width);
    }

    // Sets of kinds as bit masks, so one run-scanning loop serves every class in the patterns.
    public const int Letters = 1 << (int)CharKind.Upper | 1 << (int)CharKind.Lower | 1 << (int)CharKind.BothCase;
    public const int Numbers = 1 << (int)CharKind.Number;
    public const int Spaces = 1 << (int)CharKind.NewLine | 1 << (int)CharKind.Space;

    /// <summary><c>[^\r\n\p{L}\p{N}]</c>: the optional character before a word.</summary>
    public const int WordPrefix = 1 << (int)CharKind.Other | 1 << (int)CharKind.Mark | 1 << (int)CharKind.Space;

    /// <summary><c>[^\s\p{L}\p{N}]</c>: punctuation and symbols (and, for these patterns, marks).</summary>
    public const int Punctuation = 1 << (int)CharKind.Other | 1 << (int)CharKind.Mark;

    /// <summary>o200k's <c>[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]</c>.</summary>
    public const int UpperWord = 1 << (int)CharKind.Upper | 1 << (int)CharKind.BothCase | 1 << (int)CharKind.Mark;

    /// <summary>o200k's <c>[\p{Ll}\p{Lm}\p{Lo}\p{M}]</c>.</summary>
    public const int LowerWord = 1 << (int)CharKind.Lower | 1 << (int)CharKind.BothCase | 1 << (int)CharKind.Mark;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Is(CharKind kind, int set) => ((1 << (int)kind) & set) != 0;

    /// <summary>The end of the run of code points of the kinds in <paramref name="set"/> from <paramref name="i"/>.</summary>
    public static int RunEnd(ReadOnlySpan<char> text, int i, int set)
    {
        while (i < text.Length && Is(At(text, i, out var width), set))
        {
            i += width;
        }
        return i;
    }

    public static CharKind Of(UnicodeCategory category) => category switch
    {
        UnicodeCategory.UppercaseLetter or UnicodeCategory.TitlecaseLetter => CharKind.Upper,
        UnicodeCategory.LowercaseLetter => CharKind.Lower,
        UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => CharKind.BothCase,
        UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark => CharKind.Mark,
        UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => CharKind.Number,
        _ => CharKind.Other,
    };

    private static CharKind Surrogate(ReadOnlySpan<char> text, int i, ref int width)
    {
        if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
        {
            width = 2;
            // No code point outside the BMP is white space.
            return Of(CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(text[i], text[i + 1])));
        }
        return CharKind.Other; // U+FFFD
    }

    private static CharKind[] BuildBmp()
    {
        var kinds = new CharKind[0x10000];
        for (var c = 0; c < kinds.Length; c++)
        {
            kinds[c] = c is '\r' or '\n' ? CharKind.NewLine
                : char.IsWhiteSpace((char)c) ? CharKind.Space
                : Of(CharUnicodeInfo.GetUnicodeCategory((char)c));
        }
        return kinds;
    }
}
