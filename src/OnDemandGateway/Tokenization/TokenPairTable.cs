using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace OnDemandGateway.Tokenization;

/// <summary>
/// Token pair → merged token, for the merges the BPE can actually make: each token is entered once, under the
/// last merge of its own bytes' BPE (its "canonical" pair). Every part that appears while merging a piece is the
/// BPE of its own bytes, so a merge tiktoken makes is always a canonical pair, and a joined pair that is a token
/// by its bytes but not canonical never has the lowest rank when it is present; leaving it out does not change a
/// single result (the same argument as GitHub's <c>bpe</c> crate; tests compare with the byte-lookup merge).
/// <para>Keys are two ranks, so an entry is one <see cref="ulong"/> with no bytes to compare: o200k's table is
/// 2 MB. Entries sit in buckets of one cache line (eight entries, compared at
/// once); a bucket that is not full ends the search, so a miss (most lookups) usually reads one line. Before
/// that, two bit sets (25 KB each for o200k, so they stay in L1/L2) answer most misses without touching the
/// table: only about one token in six ever merges with a right neighbour, or with a left one.</para>
/// </summary>
internal sealed class TokenPairTable
{
    /// <summary>Ranks must stay below this (20 bits each in the key, the left one stored plus one).</summary>
    public const int RankLimit = (1 << RankBits) - 1;

    private const int RankBits = 20;
    private const ulong KeyMask = (1UL << (2 * RankBits)) - 1;
    private const int BucketSize = 8;

    private readonly ulong[] _entries; // (merged + 1) << 40 | (left + 1) << 20 | right; 0 = empty
    private readonly int _first;       // index of the first cache-line-aligned entry
    private readonly int _bucketMask;
    private readonly int _shift;
    private readonly ulong[] _mergesRight; // bit t: token t is the left half of some entry
    private readonly ulong[] _mergesLeft;  // bit t: token t is the right half of some entry
    private readonly int _tokens;
    private int _count;

    /// <param name="capacity">Entries to make room for.</param>
    /// <param name="tokens">Token ids are below this.</param>
    public TokenPairTable(int capacity, int tokens)
    {
        if ((uint)tokens > RankLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(tokens), tokens, "Too many tokens for the pair table.");
        }
        _tokens = tokens;
        _mergesRight = new ulong[(tokens + 63) / 64];
        _mergesLeft = new ulong[(tokens + 63) / 64];
        // Six to seven entries per eight-entry bucket: few buckets overflow into the next.
        var buckets = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(2, capacity / 7 + 1));
        // Pinned, so the line alignment found here holds for the table's lifetime.
        _entries = GC.AllocateArray<ulong>(buckets * BucketSize + BucketSize, pinned: true);
        _first = (int)((64 - Marshal.UnsafeAddrOfPinnedArrayElement(_entries, 0) % 64) % 64 / sizeof(ulong));
        _bucketMask = buckets - 1;
        _shift = 64 - BitOperations.Log2((uint)buckets);
    }

    public int Count => _count;

    /// <summary>Memory held, for the benchmark's report.</summary>
    public long Bytes => (_entries.Length + _mergesRight.Length + _mergesLeft.Length) * sizeof(ulong);

    /// <summary>The token that <paramref name="left"/> followed by <paramref name="right"/> merge into, or
    /// <see cref="BpeRanks.NoRank"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Merged(int left, int right)
    {
        // A shift of a ulong uses the count's low six bits only.
        if (((_mergesRight[left >> 6] >> left) & (_mergesLeft[right >> 6] >> right) & 1) == 0)
        {
            return BpeRanks.NoRank;
        }
        var key = Key(left, right);
        var bucket = Bucket(key);
        ref var first = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_entries), _first);
        var keys = Vector256.Create(key);
        var mask = Vector256.Create(KeyMask);
        while (true)
        {
            ref var line = ref Unsafe.Add(ref first, bucket * BucketSize);
            var hits = Vector256.Equals(Vector256.LoadUnsafe(ref line) & mask, keys).ExtractMostSignificantBits()
                | Vector256.Equals(Vector256.LoadUnsafe(ref line, 4) & mask, keys).ExtractMostSignificantBits() << 4;
            if (hits != 0)
            {
                return (int)(Unsafe.Add(ref line, BitOperations.TrailingZeroCount(hits)) >> (2 * RankBits)) - 1;
            }
            if (Unsafe.Add(ref line, BucketSize - 1) == 0)
            {
                return BpeRanks.NoRank;
            }
            bucket = (bucket + 1) & _bucketMask;
        }
    }

    public void Add(int left, int right, int merged)
    {
        if ((uint)left >= _tokens || (uint)right >= _tokens || (uint)merged >= _tokens)
        {
            throw new ArgumentOutOfRangeException(nameof(merged), $"Pair ({left}, {right}) → {merged} is outside the table's token range.");
        }
        if (_count + 1 > (_bucketMask + 1) * BucketSize * 7 / 8)
        {
            throw new InvalidOperationException("Pair table is full.");
        }
        var key = Key(left, right);
        for (var bucket = Bucket(key); ; bucket = (bucket + 1) & _bucketMask)
        {
            var line = _entries.AsSpan(_first + bucket * BucketSize, BucketSize);
            for (var i = 0; i < BucketSize; i++)
            {
                if (line[i] == 0)
                {
                    line[i] = ((ulong)(merged + 1) << (2 * RankBits)) | key;
                    _mergesRight[left >> 6] |= 1UL << left;
                    _mergesLeft[right >> 6] |= 1UL << right;
                    _count++;
                    return;
                }
                if ((line[i] & KeyMask) == key)
                {
                    throw new InvalidOperationException($"Pair ({left}, {right}) entered twice.");
                }
            }
        }
    }

    /// <summary>Never 0, which marks an empty slot.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Key(int left, int right) => ((ulong)(uint)(left + 1) << RankBits) | (uint)right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Bucket(ulong key) => (int)((key * 0x9E3779B97F4A7C15UL) >> _shift);
}
