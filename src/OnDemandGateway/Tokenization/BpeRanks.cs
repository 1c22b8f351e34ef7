using System.Buffers.Binary;
using System.Buffers.Text;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace OnDemandGateway.Tokenization;

/// <summary>
/// The byte-sequence → rank table of one BPE encoding. An open-addressing table of 4-byte slots, each a rank and
/// 12 bits of its key's hash: a probe compares the hash bits, and only a slot that matches them (the token, or one
/// slot in 4,096 of the others) is checked against the token's bytes, which sit in rank order in one array. Lookups
/// never allocate. It has <see cref="SlotsPerToken"/> slots per token, not a power of two: a hash picks its slot
/// by multiplying into the table's length. o200k's table is 1.3 MB (it was 5.1 MB with the first eight key bytes
/// and the length inline in 16-byte slots, and 8.4 MB at a power of two above twice the count).
/// </summary>
internal sealed class BpeRanks
{
    /// <summary>Returned by <see cref="RankOf"/> for byte sequences that are not a token.</summary>
    public const int NoRank = int.MaxValue;

    /// <summary>Callers must keep this many readable bytes after the last key byte (keys are read in 8-byte words).</summary>
    public const int Padding = 8;

    /// <summary>Slots per token in the byte-sequence table (a load factor of 0.625).</summary>
    private const double SlotsPerToken = 1.6;

    private const int RankBits = 20;
    private const uint RankMask = (1u << RankBits) - 1;

    private readonly uint[] _table;   // (hash tag << RankBits) | (rank + 1); 0 = empty
    private readonly byte[] _bytes;   // every token's bytes, back to back, plus Padding zero bytes
    private readonly int[] _offsets;  // by rank; _offsets[r + 1] - _offsets[r] is token r's length (0 = no token r)
    private readonly int[] _pairs;    // rank of every two-byte sequence, by first byte | second byte << 8: cache-resident
    private readonly int[] _byteRanks; // rank of every single byte, MissingByte when it is no token

    private BpeRanks(uint[] table, byte[] bytes, int[] offsets, int count)
    {
        _table = table;
        _bytes = bytes;
        _offsets = offsets;
        Count = count;
        _pairs = new int[1 << 16];
        Array.Fill(_pairs, NoRank);
        _byteRanks = new int[256];
        Array.Fill(_byteRanks, MissingByte);
        Pairs = new TokenPairTable(count, MissingByte + 1);
    }

    /// <summary>Number of tokens.</summary>
    public int Count { get; }

    /// <summary>Memory of the byte-sequence table, for the benchmark's report.</summary>
    public long TableBytes => (long)_table.Length * sizeof(uint);

    /// <summary>One past the highest rank.</summary>
    public int RankLimit => _offsets.Length - 1;

    /// <summary>The rank of <paramref name="length"/> bytes at <paramref name="key"/>, or <see cref="NoRank"/>.
    /// <see cref="Padding"/> bytes after the key must be readable.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int RankOf(ref byte key, int length)
    {
        var prefix = ReadWord(ref key) & WordMask(length);
        var hash = Hash(prefix, ref key, length);
        var tag = Tag(hash);
        var table = _table;
        var i = Slot(hash);
        while (true)
        {
            var e = table[i];
            if (e == 0)
            {
                return NoRank;
            }
            if (e >> RankBits == tag)
            {
                var rank = (int)(e & RankMask) - 1;
                if (KeyEquals(rank, prefix, ref key, length))
                {
                    return rank;
                }
            }
            if (++i == table.Length)
            {
                i = 0;
            }
        }
    }

    /// <summary>The rank of the two bytes <paramref name="first"/>, <paramref name="second"/>, or <see cref="NoRank"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int PairRankOf(byte first, byte second) => _pairs[first | (second << 8)];

    /// <summary>Stands for a byte that is no token by itself (only in hand-made rank files): a part that pairs
    /// with nothing.</summary>
    public int MissingByte => RankLimit;

    /// <summary>The token of the single byte <paramref name="value"/>, or <see cref="MissingByte"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int ByteRankOf(byte value) => _byteRanks[value];

    /// <summary>The merges the BPE can make, by token ids.</summary>
    public TokenPairTable Pairs { get; }

    /// <summary>The bytes of token <paramref name="rank"/>.</summary>
    public ReadOnlySpan<byte> BytesOf(int rank)
    {
        if ((uint)rank >= (uint)RankLimit || _offsets[rank + 1] == _offsets[rank])
        {
            throw new ArgumentOutOfRangeException(nameof(rank), rank, "Not a token of this encoding.");
        }
        return _bytes.AsSpan(_offsets[rank], _offsets[rank + 1] - _offsets[rank]);
    }

    /// <summary>Parses a tiktoken rank file (lines of "base64 rank").</summary>
    public static BpeRanks Parse(ReadOnlySpan<byte> file)
    {
        var lines = file.Count((byte)'\n') + 1;
        // Base64 never decodes to more than 3/4 of its text; the rank digits make this a generous bound.
        var bytes = new byte[file.Length / 4 * 3 + 3 + Padding];
        var tokenStart = new int[lines];
        var tokenRank = new int[lines];
        var count = 0;
        var written = 0;
        var maxRank = -1;
        while (!file.IsEmpty)
        {
            var eol = file.IndexOf((byte)'\n');
            var line = eol < 0 ? file : file[..eol];
            file = eol < 0 ? default : file[(eol + 1)..];
            if (line.IsEmpty)
            {
                continue;
            }
            var space = line.IndexOf((byte)' ');
            if (space <= 0
                || Base64.DecodeFromUtf8(line[..space], bytes.AsSpan(written), out _, out var n) != System.Buffers.OperationStatus.Done
                || !Utf8Parser.TryParse(line[(space + 1)..].TrimEnd((byte)'\r'), out int rank, out var used)
                || used != line.Length - space - 1 - (line[^1] == '\r' ? 1 : 0)
                || rank < 0 || n == 0)
            {
                throw new InvalidDataException($"Malformed rank line {count + 1}.");
            }
            tokenStart[count] = written;
            tokenRank[count] = rank;
            written += n;
            maxRank = Math.Max(maxRank, rank);
            count++;
        }

        // Re-lay the bytes in rank order so a token's length is the gap to the next offset.
        var ordered = new byte[written + Padding];
        var offsets = new int[maxRank + 2];
        var byRank = new int[maxRank + 1];
        Array.Fill(byRank, -1);
        for (var t = 0; t < count; t++)
        {
            if (byRank[tokenRank[t]] >= 0)
            {
                throw new InvalidDataException($"Rank {tokenRank[t]} appears twice.");
            }
            byRank[tokenRank[t]] = t;
        }
        var at = 0;
        for (var r = 0; r <= maxRank; r++)
        {
            offsets[r] = at;
            var t = byRank[r];
            if (t < 0)
            {
                continue;
            }
            // Decoded bytes sit in line order, so a token ends where the next line's bytes begin.
            var length = (t + 1 < count ? tokenStart[t + 1] : written) - tokenStart[t];
            bytes.AsSpan(tokenStart[t], length).CopyTo(ordered.AsSpan(at));
            at += length;
        }
        offsets[maxRank + 1] = at;

        if (maxRank + 2 > TokenPairTable.RankLimit || maxRank + 1 > RankMask)
        {
            throw new InvalidDataException($"Rank {maxRank} is too large.");
        }
        var table = new uint[(int)(count * SlotsPerToken) + 1];
        var result = new BpeRanks(table, ordered, offsets, count);
        for (var r = 0; r <= maxRank; r++)
        {
            var length = offsets[r + 1] - offsets[r];
            if (length == 0)
            {
                continue;
            }
            ref var key = ref ordered[offsets[r]];
            var prefix = ReadWord(ref key) & WordMask(length);
            var hash = Hash(prefix, ref key, length);
            var tag = Tag(hash);
            var i = result.Slot(hash);
            for (; table[i] != 0; i = i + 1 == table.Length ? 0 : i + 1)
            {
                // As RankOf: only a slot with the same hash bits can hold the same bytes.
                var other = (int)(table[i] & RankMask) - 1;
                if (table[i] >> RankBits == tag && result.KeyEquals(other, prefix, ref key, length))
                {
                    throw new InvalidDataException($"Token {r} duplicates token {other}.");
                }
            }
            table[i] = tag << RankBits | (uint)(r + 1);
            if (length == 2)
            {
                result._pairs[ordered[offsets[r]] | (ordered[offsets[r] + 1] << 8)] = r;
            }
            else if (length == 1)
            {
                result._byteRanks[ordered[offsets[r]]] = r;
            }
        }
        result.AddCanonicalPairs();
        return result;
    }

    /// <summary>Enters each token under the last merge of its own bytes' BPE. Shortest tokens first: every part
    /// that merging a token's bytes forms is shorter than the token, so its own pair is in the table by then,
    /// and merging stops one step short of the token, at its two halves. Two-byte tokens need no entry: their
    /// bytes' ranks come from the byte-pair array, and a later merge always involves a part of two or more bytes. A token whose bytes merge into three
    /// or more parts is never formed by a merge (it can still be a whole piece) and gets no entry.</summary>
    private void AddCanonicalPairs()
    {
        var maxLength = 0;
        for (var r = 0; r < RankLimit; r++)
        {
            maxLength = Math.Max(maxLength, _offsets[r + 1] - _offsets[r]);
        }
        // Counting sort of the ranks by token length.
        var starts = new int[maxLength + 2];
        for (var r = 0; r < RankLimit; r++)
        {
            starts[_offsets[r + 1] - _offsets[r] + 1]++;
        }
        for (var l = 1; l < starts.Length; l++)
        {
            starts[l] += starts[l - 1];
        }
        var byLength = new int[RankLimit];
        for (var r = 0; r < RankLimit; r++)
        {
            byLength[starts[_offsets[r + 1] - _offsets[r]]++] = r;
        }
        Span<int> parts = stackalloc int[256];
        var rented = maxLength > parts.Length ? new int[maxLength] : null;
        foreach (var r in byLength)
        {
            var token = _bytes.AsSpan(_offsets[r], _offsets[r + 1] - _offsets[r]);
            if (token.Length < 2)
            {
                continue;
            }
            var tokens = rented ?? parts;
            if (BytePairMerger.MergeInto(this, token, tokens) == 2 && tokens[0] != MissingByte && tokens[1] != MissingByte)
            {
                Pairs.Add(tokens[0], tokens[1], r);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Slot(ulong hash) => (int)(((hash * 0x9E3779B97F4A7C15UL) >> 32) * (ulong)(uint)_table.Length >> 32);

    /// <summary>The hash bits a slot keeps: the top 12, which <see cref="Slot"/> mixes with all the others.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Tag(ulong hash) => (uint)(hash >> (64 - (32 - RankBits)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong ReadWord(ref byte p) => BinaryPrimitives.ReadUInt64LittleEndian(MemoryMarshal.CreateReadOnlySpan(ref p, 8));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong WordMask(int length) => length >= 8 ? ulong.MaxValue : (1UL << (length * 8)) - 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Hash(ulong prefix, ref byte key, int length)
    {
        var h = (prefix ^ (ulong)length) * 0xFF51AFD7ED558CCDUL;
        for (var i = 8; i < length; i += 8)
        {
            var word = ReadWord(ref Unsafe.Add(ref key, i)) & WordMask(length - i);
            h = BitOperations.RotateLeft(h ^ (h >> 29), 17) ^ word;
            h *= 0xC4CEB9FE1A85EC53UL;
        }
        return h ^ (h >> 32);
    }

    /// <summary>Whether token <paramref name="rank"/> is the <paramref name="length"/> bytes at
    /// <paramref name="key"/>, whose first eight (masked to the length) are <paramref name="prefix"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool KeyEquals(int rank, ulong prefix, ref byte key, int length)
    {
        var start = _offsets[rank];
        if (_offsets[rank + 1] - start != length || (ReadWord(ref _bytes[start]) & WordMask(length)) != prefix)
        {
            return false;
        }
        return length <= 8 || MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref key, 8), length - 8)
            .SequenceEqual(_bytes.AsSpan(start + 8, length - 8));
    }
}
