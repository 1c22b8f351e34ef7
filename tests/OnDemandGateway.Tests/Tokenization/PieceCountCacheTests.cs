using System.Text;
using OnDemandGateway.Tokenization;

namespace OnDemandGateway.Tests.Tokenization;

public sealed class PieceCountCacheTests
{
    [Fact]
    public void TryGet_AfterAdd_ReturnsTheCountOfThatPieceOnly()
    {
        var cache = new PieceCountCache(64);
        cache.Add("привет"u8, 3);

        Assert.True(cache.TryGet("привет"u8, out var count));
        Assert.Equal(3, count);
        Assert.False(cache.TryGet("привес"u8, out _));
        Assert.False(cache.TryGet("приве"u8, out _));
    }

    [Fact]
    public void Add_PieceLongerThanLimit_IsNotKept()
    {
        var cache = new PieceCountCache(64);
        var piece = new byte[PieceCountCache.MaxPieceBytes + 1];

        cache.Add(piece, 9);

        Assert.False(cache.TryGet(piece, out _));
    }

    [Fact]
    public void Add_ManyMorePiecesThanCapacity_KeepsAtMostCapacity()
    {
        var cache = new PieceCountCache(16);
        var pieces = Enumerable.Range(0, 1000).Select(i => Encoding.UTF8.GetBytes($"piece {i}")).ToArray();
        foreach (var piece in pieces)
        {
            cache.Add(piece, piece.Length);
        }

        var kept = pieces.Count(p => cache.TryGet(p, out _));

        Assert.InRange(kept, 1, cache.Capacity);
    }

    [Fact]
    public void TryGet_ManyThreadsRacingOnATinyCache_NeverReturnsAWrongCount()
    {
        // Four entries for 200 pieces: every set is fought over, entries are replaced while being read.
        var cache = new PieceCountCache(4);
        var pieces = Enumerable.Range(0, 200).Select(i => Encoding.UTF8.GetBytes(new string((char)('a' + i % 26), 1 + i % 40))).ToArray();
        var wrong = 0;
        var hits = 0;
        Parallel.For(0, 4, worker =>
        {
            var random = new Random(worker);
            for (var i = 0; i < 50_000; i++)
            {
                var index = random.Next(pieces.Length);
                if (cache.TryGet(pieces[index], out var count))
                {
                    Interlocked.Increment(ref hits);
                    if (count != Expected(index))
                    {
                        Interlocked.Increment(ref wrong);
                    }
                }
                else
                {
                    cache.Add(pieces[index], Expected(index));
                }
            }
        });

        Assert.Equal(0, wrong);
        Assert.True(hits > 0);

        int Expected(int index) => pieces[index].Length + index % 26 * 7 % 11;
    }

    [Theory]
    [InlineData("o200k_base")]
    [InlineData("cl100k_base")]
    public void CountTokens_RandomTextCountedTwice_SameAsUncachedAndEncode(string encodingName)
    {
        var encoding = TokenizerVectors.Encoding(encodingName);
        var random = new Random(99);
        var texts = Enumerable.Range(0, 400).Select(_ => MixedScriptText.Random(random, random.Next(0, 300))).ToArray();
        for (var pass = 0; pass < 2; pass++)
        {
            foreach (var text in texts)
            {
                var expected = encoding.Encode(text).Length;
                Assert.Equal(expected, encoding.CountTokensUncached(text));
                Assert.Equal(expected, encoding.CountTokens(text));
            }
        }
    }
}
