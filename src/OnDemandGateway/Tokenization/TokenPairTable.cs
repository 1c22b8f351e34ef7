using System.Numerics;
using System.Runtime.CompilerServices;

namespace OnDemandGateway.Tokenization;

/// <summary>
/// Token pair → merged token, for the merges the BPE can actually make: each token is entered once, under the
/// last merge of its own bytes' BPE (its "canonical" pair). Every part that appears while merging a piece is the
/// BPE of its own bytes, so a merge tiktoken makes is always a canonical pair, and a joined pair that is a token
/// by its bytes but not canonical never has the lowest rank when it is present; leaving it out does not change a
/// single result (the same argument as GitHub's <c>bpe</c> crate; tests compare with the byte-lookup merge).
/// Keys are two ranks, so an entry is one <see cref="ulong"/> with no bytes to compare: o200k's table is 2 MB
/// against the byte table's 8 MB, and most of it stays in L2.
/// </summary>
internal sealed class TokenPairTable
{
    /// <summary>Ranks must stay below this (20 bits each in the key).</summary>
    public const int RankLimit = (1 << RankBits) - 1;

    /// <summary>A token id that pairs with nothing (e.g. a byte the encoding has no token for).</summary>
    public const int Missing = RankLimit;

    private const int RankBits = 20;
    private const ulong KeyMask = (1UL << (2 * RankBits)) - 1;

    private readonly ulong[] _entries; // (merged + 1) << 40 | left << 20 | right; 0 = empty
    private readonly int _shift;
    private int _count;

    public TokenPairTable(int capacity)
    {
        // Load ≤ 0.8: eight entries share a cache line, so even a miss rarely reads a second line.
        var size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, capacity + capacity / 4));
        _entries = new ulong[size];
        _shift = 64 - BitOperations.Log2((uint)size);
    }

    public int Count => _count;

    /// <summary>Memory held, for the benchmark's report.</summary>
    public long Bytes => _entries.Length * sizeof(ulong);

    /// <summary>The token that <paramref name="left"/> followed by <paramref name="right"/> merge into, or
    /// <see cref="BpeRanks.NoRank"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Merged(int left, int right)
    {
        var key = ((ulong)(uint)left << RankBits) | (uint)right;
        var entries = _entries;
        var mask = entries.Length - 1;
        var i = (int)((key * 0x9E3779B97F4A7C15UL) >> _shift);
        while (true)
        {
            var e = entries[i];
            if ((e & KeyMask) == key && e != 0)
            {
                return (int)(e >> (2 * RankBits)) - 1;
            }
            if (e == 0)
            {
                return BpeRanks.NoRank;
            }
            i = (i + 1) & mask;
        }
    }

    public void Add(int left, int right, int merged)
    {
        if ((uint)left >= RankLimit || (uint)right >= RankLimit || (uint)merged >= RankLimit)
        {
            throw new InvalidDataException($"Rank {Math.Max(merged, Math.Max(left, right))} is too large for the pair table.");
        }
        if (_count + 1 > _entries.Length - _entries.Length / 8)
        {
            throw new InvalidOperationException("Pair table is full.");
        }
        var key = ((ulong)(uint)left << RankBits) | (uint)right;
        var mask = _entries.Length - 1;
        var i = (int)((key * 0x9E3779B97F4A7C15UL) >> _shift);
        while (_entries[i] != 0)
        {
            if ((_entries[i] & KeyMask) == key)
            {
                throw new InvalidOperationException($"Pair ({left}, {right}) entered twice.");
            }
            i = (i + 1) & mask;
        }
        _entries[i] = ((ulong)(merged + 1) << (2 * RankBits)) | key;
        _count++;
    }
}
