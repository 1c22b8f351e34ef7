using System.Diagnostics;
using System.Security.Cryptography;
using OnDemandGateway.Tokenization;

namespace OnDemandGateway.Tests.Tokenization;

public sealed class BpeRankDataTests
{
    [Theory]
    [InlineData("o200k_base", "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d")]
    [InlineData("cl100k_base", "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7")]
    public void ReadFile_EmbeddedData_MatchesPublishedSha256(string name, string sha256) =>
        Assert.Equal(sha256, Convert.ToHexStringLower(SHA256.HashData(BpeRankData.ReadFile(name))));

    [Theory]
    [InlineData("o200k_base", 199_998)]
    [InlineData("cl100k_base", 100_256)]
    public void Load_EmbeddedData_HasEveryTokenAndFindsEachByItsBytes(string name, int tokens)
    {
        var clock = Stopwatch.StartNew();
        var ranks = BpeRankData.Load(name);
        clock.Stop();

        Assert.Equal(tokens, ranks.Count);
        Assert.Equal(tokens, ranks.RankLimit);
        var key = new byte[1024];
        for (var rank = 0; rank < ranks.RankLimit; rank++)
        {
            var bytes = ranks.BytesOf(rank);
            bytes.CopyTo(key);
            key.AsSpan(bytes.Length, BpeRanks.Padding).Fill(0xAB); // padding must not leak into the key
            Assert.Equal(rank, ranks.RankOf(ref key[0], bytes.Length));
        }
        // A generous bound for a shared CI machine; the benchmark reports the real figure.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"loading took {clock.Elapsed}");
    }

    [Fact]
    public void RankOf_BytesThatAreNoToken_ReturnsNoRank()
    {
        var key = "zzqxjvkwzzqxjvkwzzqx"u8.ToArray().Concat(new byte[BpeRanks.Padding]).ToArray();
        Assert.Equal(BpeRanks.NoRank, TiktokenEncoding.O200kBase.Ranks.RankOf(ref key[0], 20));
    }

    [Fact]
    public void RankOf_EveryTokenWithItsLastByteChangedOrOneByteShort_FindsOnlyATokenWithThoseBytes()
    {
        // A slot keeps a rank and a few hash bits; the bytes it names must still be checked in full: past the
        // eighth byte, in the last byte, and in the length.
        var ranks = TiktokenEncoding.O200kBase.Ranks;
        var key = new byte[1024];
        var found = 0;
        for (var rank = 0; rank < ranks.RankLimit; rank++)
        {
            var bytes = ranks.BytesOf(rank);
            if (bytes.Length < 2) continue;
            bytes.CopyTo(key);
            key[bytes.Length - 1] ^= 0x01;
            found += AssertFindsOnlyItsOwnBytes(ranks, key, bytes.Length);
            bytes.CopyTo(key);
            found += AssertFindsOnlyItsOwnBytes(ranks, key, bytes.Length - 1);
        }
        Assert.True(found > 100_000, $"only {found} of the changed keys were tokens: the check proved little");
    }

    private static int AssertFindsOnlyItsOwnBytes(BpeRanks ranks, byte[] key, int length)
    {
        key.AsSpan(length, BpeRanks.Padding).Fill(0);
        var rank = ranks.RankOf(ref key[0], length);
        if (rank == BpeRanks.NoRank) return 0;
        Assert.True(ranks.BytesOf(rank).SequenceEqual(key.AsSpan(0, length)), $"rank {rank} returned for other bytes");
        return 1;
    }

    [Fact]
    public void Parse_DuplicateRank_Throws() =>
        Assert.Throws<InvalidDataException>(() => BpeRanks.Parse("YQ== 0\nYg== 0\n"u8));

    [Fact]
    public void Parse_DuplicateTokenBytes_Throws() =>
        Assert.Throws<InvalidDataException>(() => BpeRanks.Parse("YQ== 0\nYQ== 1\n"u8));

    [Fact]
    public void Parse_SmallFile_MapsBytesToRanks()
    {
        var ranks = BpeRanks.Parse("YQ== 0\nYg== 1\nYWI= 2\n"u8); // a, b, ab
        var key = "ab\0\0\0\0\0\0\0\0"u8.ToArray();
        Assert.Equal(2, ranks.RankOf(ref key[0], 2));
        Assert.Equal(0, ranks.RankOf(ref key[0], 1));
        Assert.Equal("ab"u8.ToArray(), ranks.BytesOf(2).ToArray());
    }
}
