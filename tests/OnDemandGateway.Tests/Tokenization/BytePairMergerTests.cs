using System.Text;
using OnDemandGateway.Tokenization;

namespace OnDemandGateway.Tests.Tokenization;

public sealed class BytePairMergerTests
{
    [Theory]
    [InlineData("o200k_base")]
    [InlineData("cl100k_base")]
    public void MergeVectorScanAndHeap_RandomPieces_SameTokensAsScan(string encodingName)
    {
        // Each variant normally serves its own range of lengths; all three must agree on every length.
        var ranks = TokenizerVectors.Encoding(encodingName).Ranks;
        var random = new Random(7);
        for (var i = 0; i < 400; i++)
        {
            var bytes = Encoding.UTF8.GetBytes(MixedScriptText.Random(random, random.Next(2, 120)));
            var scan = new int[bytes.Length];
            var vector = new int[bytes.Length];
            var heap = new int[bytes.Length];

            var scanCount = BytePairMerger.MergeScan(ranks, bytes, scan);
            var vectorCount = BytePairMerger.MergeVectorScan(ranks, bytes, vector);
            var heapCount = BytePairMerger.MergeHeap(ranks, bytes, heap);

            Assert.Equal(scan[..scanCount], vector[..vectorCount]);
            Assert.Equal(scan[..scanCount], heap[..heapCount]);
        }
    }

    [Theory]
    [InlineData("o200k_base", 1)]
    [InlineData("cl100k_base", 2)]
    public void Merge_RandomPieces_SameTokensAsMergingByBytes(string encodingName, int seed)
    {
        // Merging by token pairs drops joins that are tokens by their bytes but never a BPE merge; this is the
        // claim that doing so changes nothing, checked against tiktoken's own algorithm on byte lookups.
        var ranks = TokenizerVectors.Encoding(encodingName).Ranks;
        var random = new Random(seed);
        for (var i = 0; i < 3000; i++)
        {
            var text = i % 2 == 0 ? MixedScriptText.Random(random, random.Next(1, 60)) : RandomTokens(ranks, random);
            var bytes = Encoding.UTF8.GetBytes(text);
            var ids = new List<int>();

            var count = BytePairMerger.Merge(ranks, bytes, ids);

            Assert.Equal(ReferenceMerge(ranks, bytes), ids);
            Assert.Equal(ids.Count, count);
        }
    }

    [Theory]
    [InlineData("o200k_base")]
    [InlineData("cl100k_base")]
    public void Merge_EveryTokenOnItsOwn_SameTokensAsMergingByBytes(string encodingName)
    {
        // Tokens whose own bytes do not merge back into them are the case the pair table must get right.
        var ranks = TokenizerVectors.Encoding(encodingName).Ranks;
        var ids = new List<int>();
        for (var rank = 0; rank < ranks.RankLimit; rank++)
        {
            var bytes = ranks.BytesOf(rank).ToArray();
            ids.Clear();
            BytePairMerger.Merge(ranks, bytes, ids);
            Assert.Equal(ReferenceMerge(ranks, bytes), ids);
        }
    }

    [Fact]
    public void Merge_SmallRankFile_MergesPairsAndReportsBytesWithoutToken()
    {
        var ranks = BpeRanks.Parse("YQ== 0\nYg== 1\nYWI= 2\nYWJhYg== 3\n"u8); // a, b, ab, abab
        var ids = new List<int>();

        BytePairMerger.Merge(ranks, "ababcab"u8, ids);

        Assert.Equal([3, BpeRanks.NoRank, 2], ids);
    }

    [Fact]
    public void Merge_RepeatedLetterAboveStackLimit_DecodesBack()
    {
        var ranks = TiktokenEncoding.O200kBase.Ranks;
        var piece = new byte[1000];
        piece.AsSpan().Fill((byte)'a');
        var ids = new List<int>();

        var count = BytePairMerger.Merge(ranks, piece, ids);

        Assert.Equal(ids.Count, count);
        Assert.Equal(new string('a', 1000), TiktokenEncoding.O200kBase.Decode(ids));
    }

    /// <summary>Text glued from the bytes of a few random tokens, so that long tokens meet at odd boundaries.</summary>
    private static string RandomTokens(BpeRanks ranks, Random random)
    {
        var bytes = new List<byte>();
        for (var n = random.Next(1, 6); n > 0; n--)
        {
            bytes.AddRange(ranks.BytesOf(random.Next(ranks.RankLimit)).ToArray());
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    /// <summary>tiktoken's <c>byte_pair_merge</c> as written in its Rust core: ranks by byte lookup, quadratic.</summary>
    private static List<int> ReferenceMerge(BpeRanks ranks, byte[] piece)
    {
        var padded = new byte[piece.Length + BpeRanks.Padding];
        piece.CopyTo(padded, 0);
        int RankOf(int start, int end) => ranks.RankOf(ref padded[start], end - start);

        var starts = Enumerable.Range(0, piece.Length + 1).ToList();
        while (starts.Count > 2)
        {
            var best = BpeRanks.NoRank;
            var at = -1;
            for (var i = 0; i + 2 < starts.Count; i++)
            {
                var rank = RankOf(starts[i], starts[i + 2]);
                if (rank < best)
                {
                    best = rank;
                    at = i;
                }
            }
            if (at < 0)
            {
                break;
            }
            starts.RemoveAt(at + 1);
        }
        return [.. starts.Zip(starts.Skip(1), RankOf)];
    }
}
