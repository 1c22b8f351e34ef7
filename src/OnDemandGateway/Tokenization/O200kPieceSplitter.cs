namespace OnDemandGateway.Tokenization;

/// <summary>
/// o200k_base's pattern by hand, alternative by alternative:
/// <c>P?U*W+C?</c> | <c>P?U+W*C?</c> | <c>\p{N}{1,3}</c> | <c> ?[^\s\p{L}\p{N}]+[\r\n/]*</c> | <c>\s*[\r\n]+</c> |
/// <c>\s+(?!\S)</c> | <c>\s+</c>, where P is <c>[^\r\n\p{L}\p{N}]</c>, U the upper class, W the lower class and C a
/// contraction (see <see cref="TiktokenPatterns.O200k"/>).
/// </summary>
internal sealed class O200kPieceSplitter : PieceSplitter
{
    public static O200kPieceSplitter Instance { get; } = new();

    public override int PieceEnd(ReadOnlySpan<char> text, int start)
    {
        var kind = CharKinds.At(text, start, out var width);
        if (kind == CharKind.Number)
        {
            // A number cannot begin a word (P excludes \p{N}) and is not punctuation or white space.
            return DigitsEnd(text, start);
        }
        // The regex tries each word alternative with the optional P first, then without it.
        var prefixed = CharKinds.Is(kind, CharKinds.WordPrefix);
        int end;
        if ((prefixed && (end = LowerWordEnd(text, start + width)) >= 0)
            || (end = LowerWordEnd(text, start)) >= 0
            || (prefixed && (end = UpperWordEnd(text, start + width)) >= 0)
            || (end = UpperWordEnd(text, start)) >= 0)
        {
            var contraction = ContractionEnd(text, end);
            return contraction >= 0 ? contraction : end;
        }
        if ((end = PunctuationEnd(text, start, slash: true)) >= 0)
        {
            return end;
        }
        return SpaceEnd(text, start, wholeTail: false);
    }

    /// <summary><c>U*W+</c> at <paramref name="i"/>: its end, or -1. U* takes its whole run, then backs off one
    /// code point at a time until W can start: right after the run (a lowercase letter, then W+ runs on), or at
    /// the run's last Lm/Lo/mark (then W+ ends there, as the run continues with Lu/Lt only).</summary>
    private static int LowerWordEnd(ReadOnlySpan<char> text, int i)
    {
        var lastBoth = -1; // end of the last code point in the run that is in W too
        while (i < text.Length)
        {
            var kind = CharKinds.At(text, i, out var width);
            if (!CharKinds.Is(kind, CharKinds.UpperWord))
            {
                if (kind == CharKind.Lower)
                {
                    return CharKinds.RunEnd(text, i + width, CharKinds.LowerWord);
                }
                break;
            }
            i += width;
            if (kind != CharKind.Upper)
            {
                lastBoth = i;
            }
        }
        return lastBoth;
    }

    /// <summary><c>U+W*</c> at <paramref name="i"/>: its end, or -1.</summary>
    private static int UpperWordEnd(ReadOnlySpan<char> text, int i)
    {
        if (i >= text.Length || !CharKinds.Is(CharKinds.At(text, i, out _), CharKinds.UpperWord))
        {
            return -1;
        }
        var end = CharKinds.RunEnd(text, i, CharKinds.UpperWord);
        return CharKinds.RunEnd(text, end, CharKinds.LowerWord);
    }
}
