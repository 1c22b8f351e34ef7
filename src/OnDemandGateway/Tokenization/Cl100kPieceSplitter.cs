namespace OnDemandGateway.Tokenization;

/// <summary>
/// cl100k_base's pattern by hand, alternative by alternative: a contraction | <c>(?>P?)(?>\p{L}+)</c> |
/// <c>\p{N}{1,3}</c> | <c> ?(?>[^\s\p{L}\p{N}]+)(?>[\r\n]*)</c> | <c>\s++$</c> | <c>\s*[\r\n]</c> |
/// <c>\s+(?!\S)</c> | <c>\s</c>, where P is <c>[^\r\n\p{L}\p{N}]</c> (see <see cref="TiktokenPatterns.Cl100k"/>).
/// </summary>
internal sealed class Cl100kPieceSplitter : PieceSplitter
{
    public static Cl100kPieceSplitter Instance { get; } = new();

    public override int PieceEnd(ReadOnlySpan<char> text, int start)
    {
        var end = ContractionEnd(text, start);
        if (end >= 0)
        {
            return end;
        }
        var kind = CharKinds.At(text, start, out var width);
        if (kind == CharKind.Number)
        {
            return DigitsEnd(text, start);
        }
        // The prefix group is atomic: once it has taken a character, a word must follow that character.
        var word = CharKinds.Is(kind, CharKinds.WordPrefix) ? start + width : start;
        if (word < text.Length && CharKinds.Is(CharKinds.At(text, word, out _), CharKinds.Letters))
        {
            return CharKinds.RunEnd(text, word, CharKinds.Letters);
        }
        if ((end = PunctuationEnd(text, start, slash: false)) >= 0)
        {
            return end;
        }
        return SpaceEnd(text, start, wholeTail: true);
    }
}
