using System.Diagnostics;
using System.Text;
using OnDemandGateway.Tokenization;

namespace OnDemandGateway.Tests.Tokenization;

public sealed class TiktokenEncodingTests
{
    public static TheoryData<string, int> Vectors() => TokenizerVectors.VectorCases();

    [Fact]
    public void Vectors_FileHasAllCases_457PerEncoding() => Assert.Equal(457, TokenizerVectors.All.Count);

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Encode_ReferenceVector_MatchesTiktokenIds(string encodingName, int id)
    {
        var vector = TokenizerVectors.All[id];
        var expected = vector.GetProperty(encodingName);
        var encoding = TokenizerVectors.Encoding(encodingName);
        var text = vector.GetProperty("text").GetString()!;

        Assert.Equal(expected.GetProperty("pieces").EnumerateArray().Select(p => p.GetString()), encoding.SplitPieces(text));
        Assert.Equal(expected.GetProperty("pieces").EnumerateArray().Select(p => p.GetString()), encoding.SplitPiecesWithPattern(text));
        Assert.Equal(expected.GetProperty("ids").EnumerateArray().Select(i => i.GetInt32()), encoding.Encode(text));
        Assert.Equal(expected.GetProperty("count").GetInt32(), encoding.CountTokens(text));
    }

    [Theory]
    [InlineData("o200k_base", "Hello world", new[] { 13225, 2375 })]
    [InlineData("cl100k_base", "Hello world", new[] { 9906, 1917 })]
    public void Encode_HelloWorld_KnownIds(string encodingName, string text, int[] ids) =>
        Assert.Equal(ids, TokenizerVectors.Encoding(encodingName).Encode(text));

    [Theory]
    [InlineData("o200k_base")]
    [InlineData("cl100k_base")]
    public void SplitPieces_LongSLetterAfterApostrophe_IsAContraction(string encodingName)
    {
        // Rust's (?i) folds U+017F (ſ) to s, .NET's does not: the pattern spells it out.
        var encoding = TokenizerVectors.Encoding(encodingName);
        var pieces = encoding.SplitPieces("it'ſ");
        Assert.Contains(pieces, p => p.EndsWith("'ſ", StringComparison.Ordinal));
        Assert.DoesNotContain("ſ", pieces);
    }

    [Theory]
    [InlineData("o200k_base")]
    [InlineData("cl100k_base")]
    public void SplitPieces_MathLettersOutsideBmp_StayOneWord(string encodingName)
    {
        // U+1D407.. are letters; read as surrogate halves they would fall out of \p{L} and split apart.
        var pieces = TokenizerVectors.Encoding(encodingName).SplitPieces(" 𝐇𝐞𝐥𝐥𝐨 𝟘𝟙𝟚𝟛");
        Assert.Equal([" 𝐇𝐞𝐥𝐥𝐨", " ", "𝟘𝟙𝟚", "𝟛"], pieces);
    }

    [Theory]
    [InlineData("o200k_base")]
    [InlineData("cl100k_base")]
    public void Encode_LoneSurrogates_EncodedAsReplacementCharacter(string encodingName)
    {
        var encoding = TokenizerVectors.Encoding(encodingName);
        Assert.Equal(encoding.Encode("a\uFFFDb\uFFFD c\uFFFD"), encoding.Encode("a\uD800b\uDC00 c\uD83D"));
        Assert.Equal("a\uFFFDb\uFFFD c\uFFFD", encoding.Decode(encoding.Encode("a\uD800b\uDC00 c\uD83D")));
    }

    [Theory]
    [InlineData("o200k_base")]
    [InlineData("cl100k_base")]
    public void CountTokens_HundredThousandSameLetter_FinishesFast(string encodingName)
    {
        var encoding = TokenizerVectors.Encoding(encodingName);
        encoding.WarmUp();
        var text = new string('a', 100_000);
        var clock = Stopwatch.StartNew();
        var ids = encoding.Encode(text);
        clock.Stop();

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
        Assert.Equal(text, encoding.Decode(ids));
        Assert.Equal(ids.Length, encoding.CountTokens(text));
        Assert.InRange(ids.Length, 100_000 / 64, 100_000 / 2);
    }

    [Theory]
    [InlineData("o200k_base")]
    [InlineData("cl100k_base")]
    public void EncodeDecode_RandomMixedScriptText_RoundTrips(string encodingName)
    {
        var encoding = TokenizerVectors.Encoding(encodingName);
        var random = new Random(20240611);
        for (var i = 0; i < 300; i++)
        {
            var text = MixedScriptText.Random(random, random.Next(0, 200));
            var expected = FixSurrogates(text);
            var ids = encoding.Encode(text);

            Assert.Equal(expected, encoding.Decode(ids));
            Assert.Equal(ids.Length, encoding.CountTokens(text));
            Assert.All(ids, id => Assert.InRange(id, 0, encoding.Ranks.RankLimit - 1));
        }
    }

    [Fact]
    public void Decode_SplitMultiByteCharacter_GivesReplacementCharacter()
    {
        var encoding = TiktokenEncoding.O200kBase;
        var euro = "€"u8.ToArray();
        var firstByte = encoding.Ranks.RankOf(ref new byte[] { euro[0], 0, 0, 0, 0, 0, 0, 0, 0 }[0], 1);
        Assert.Equal("\uFFFD", encoding.Decode([firstByte]));
    }

    [Fact]
    public void Decode_UnknownId_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => TiktokenEncoding.Cl100kBase.Decode([int.MaxValue - 1]));

    [Fact]
    public void CountTokens_ConcurrentFirstUse_AllThreadsAgree()
    {
        var text = "Concurrent counting of the same text should agree: 数え方 🎉 1234567";
        var counts = new int[8];
        Parallel.For(0, counts.Length, i => counts[i] = TiktokenEncoding.Cl100kBase.CountTokens(text));
        Assert.All(counts, c => Assert.Equal(TiktokenEncoding.Cl100kBase.Encode(text).Length, c));
    }

    private static string FixSurrogates(string text)
    {
        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                builder.Append(text, i++, 2);
            }
            else
            {
                builder.Append(char.IsSurrogate(text[i]) ? '\uFFFD' : text[i]);
            }
        }
        return builder.ToString();
    }
}
