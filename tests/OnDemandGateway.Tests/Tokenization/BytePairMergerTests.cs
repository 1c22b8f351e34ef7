using System.Text;
using OnDemandGateway.Tokenization;

namespace OnDemandGateway.Tests.Tokenization;

public sealed class BytePairMergerTests
{
    [Theory]
    [InlineData("o200k_base")]
    [InlineData("cl100k_base")]
    public void MergeHeap_RandomPieces_SameTokensAsLinearScan(string encodingName)
    {
        // The heap is only used above LinearLimit; it must agree with tiktoken's scan on every piece length.
        var ranks = TokenizerVectors.Encoding(encodingName).Ranks;
        var random = new Random(7);
        for (var i = 0; i < 400; i++)
        {
            var text = MixedScriptText.Random(random, random.Next(2, 120));
            var bytes = Encoding.UTF8.GetBytes(text);
            var piece = new byte[bytes.Length + BpeRanks.Padding];
            bytes.CopyTo(piece, 0);
            var linear = new List<int>();
            var heap = new List<int>();

            var linearCount = BytePairMerger.MergeLinear(ranks, piece, bytes.Length, linear);
            var heapCount = BytePairMerger.MergeHeap(ranks, piece, bytes.Length, heap);

            Assert.Equal(linear, heap);
            Assert.Equal(linear.Count, linearCount);
            Assert.Equal(heap.Count, heapCount);
        }
    }

    [Fact]
    public void Merge_RepeatedLetterAboveStackLimit_DecodesBack()
    {
        var ranks = TiktokenEncoding.O200kBase.Ranks;
        var piece = new byte[1000 + BpeRanks.Padding];
        piece.AsSpan(0, 1000).Fill((byte)'a');
        var ids = new List<int>();

        var count = BytePairMerger.Merge(ranks, piece, 1000, ids);

        Assert.Equal(ids.Count, count);
        Assert.Equal(new string('a', 1000), TiktokenEncoding.O200kBase.Decode(ids));
    }
}
