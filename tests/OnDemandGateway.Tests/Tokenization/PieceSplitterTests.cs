using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using OnDemandGateway.Tokenization;

namespace OnDemandGateway.Tests.Tokenization;

public sealed class PieceSplitterTests
{
    /// <summary>Characters that steer the patterns' alternatives: contraction letters, each letter, mark and
    /// number category, every kind of white space, '/', and the space that may lead punctuation.</summary>
    private static readonly string[] Steering =
    [
        "'", "s", "S", "ſ", "t", "T", "re", "RE", "rE", "ve", "m", "M", "ll", "lL", "d", "D", "e", "l", "v",
        "/", " ", " ", "  ", "\r", "\n", "\r\n", "\t", "\v", "\f", "\u0085", "\u00A0", "\u1680", "\u2028", "\u3000",
        "A", "Z", "a", "z", "\u01C5", "\u1F88", "\u02B0", "\u3005", "\u4E00", "\u05D0", "\u0300", "\u0903", "\u20DD",
        "0", "7", "\u0663", "\u2160", "\u00B2", "\u00BD", "!", ".", "-", "\u00A9", "\u200D", "\uFE0F", "\uFFFD",
        "𝐀", "𝐚", "𝟎", "😀", "\U000E0041", "\uD800", "\uDC00",
    ];

    [Theory]
    [InlineData("o200k_base", 11)]
    [InlineData("cl100k_base", 12)]
    public void SplitPieces_50000RandomMixedScriptStrings_SameAsRegex(string encodingName, int seed)
    {
        var encoding = TokenizerVectors.Encoding(encodingName);
        var random = new Random(seed);
        for (var i = 0; i < 50_000; i++)
        {
            var text = i % 2 == 0 ? MixedScriptText.Random(random, random.Next(0, 40)) : SteeringText(random);

            var expected = encoding.SplitPiecesWithPattern(text);
            var actual = encoding.SplitPieces(text);

            if (!expected.SequenceEqual(actual))
            {
                Assert.Fail($"{Escape(text)}: regex [{string.Join(", ", expected.Select(Escape))}], splitter [{string.Join(", ", actual.Select(Escape))}]");
            }
        }
    }

    [Fact]
    public void At_EveryBmpCharacter_SameClassesAsRegex()
    {
        var classes = new (string Pattern, int Set)[]
        {
            (@"\p{L}", CharKinds.Letters),
            (@"\p{N}", CharKinds.Numbers),
            (@"\s", CharKinds.Spaces),
            (@"[^\r\n\p{L}\p{N}]", CharKinds.WordPrefix),
            (@"[^\s\p{L}\p{N}]", CharKinds.Punctuation),
            (@"[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]", CharKinds.UpperWord),
            (@"[\p{Ll}\p{Lm}\p{Lo}\p{M}]", CharKinds.LowerWord),
            (@"[\r\n]", 1 << (int)CharKind.NewLine),
            (@"\p{Ll}", 1 << (int)CharKind.Lower),
        };
        foreach (var (pattern, set) in classes)
        {
            var regex = new Regex($@"\A{pattern}\z", RegexOptions.CultureInvariant);
            for (var c = 0; c <= 0xFFFF; c++)
            {
                if (c is >= 0xD800 and <= 0xDFFF)
                {
                    continue;
                }
                var text = ((char)c).ToString();
                Assert.True(regex.IsMatch(text) == CharKinds.Is(CharKinds.At(text, 0, out _), set), $"U+{c:X4} in {pattern}");
            }
        }
    }

    [Fact]
    public void At_EveryCodePointOutsideBmp_SameKindAsItsStandIn()
    {
        // The regex path sees a stand-in BMP character per code point; the splitter reads the pair itself.
        for (var codePoint = 0x10000; codePoint <= 0x10FFFF; codePoint++)
        {
            var pair = char.ConvertFromUtf32(codePoint);
            var standIn = StandInText.StandIn(CharUnicodeInfo.GetUnicodeCategory(codePoint)).ToString();

            var kind = CharKinds.At(pair, 0, out var width);

            Assert.Equal(2, width);
            Assert.Equal(CharKinds.At(standIn, 0, out _), kind);
        }
    }

    [Theory]
    [InlineData("o200k_base", "it's   fine\n\n  /x", new[] { "it's", "  ", " fine", "\n\n", " ", " /", "x" })]
    [InlineData("cl100k_base", "it's   fine\n\n  /x", new[] { "it", "'s", "  ", " fine", "\n\n", " ", " /", "x" })]
    [InlineData("o200k_base", "HTTPServer 12345 ,\n/", new[] { "HTTPServer", " ", "123", "45", " ,\n/" })]
    [InlineData("cl100k_base", "  \n ", new[] { "  \n ", })]
    public void SplitPieces_Examples_KnownPieces(string encodingName, string text, string[] pieces) =>
        Assert.Equal(pieces, TokenizerVectors.Encoding(encodingName).SplitPieces(text));

    private static string SteeringText(Random random)
    {
        var text = new StringBuilder();
        for (var n = random.Next(1, 16); n > 0; n--)
        {
            text.Append(random.Next(4) == 0 ? MixedScriptText.Random(random, 1) : Steering[random.Next(Steering.Length)]);
        }
        return text.ToString();
    }

    private static string Escape(string text) =>
        string.Concat(text.Select(c => c is >= ' ' and < '\u007F' ? c.ToString() : $"\\u{(int)c:X4}"));
}
