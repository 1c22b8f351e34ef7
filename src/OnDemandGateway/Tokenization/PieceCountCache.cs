using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace OnDemandGateway.Tokenization;

/// <summary>
/// Token counts of recently merged pieces (pieces that are not a token by themselves), so that words a chat
/// repeats ("привет", "Francisco", an identifier) are merged once. Two-way set associative, a hit in the second
/// way swaps to the first, a new piece evicts the second way. Lock-free: an entry is an immutable array
/// (count, then the piece's bytes) published by one reference write, so a reader sees a whole entry or none;
/// racing writers can only lose an entry, never return a wrong count.
/// </summary>
internal sealed class PieceCountCache
{
    /// <summary>Longer pieces (long CJK runs) rarely repeat; they are merged every time.</summary>
    public const int MaxPieceBytes = 64;

    private readonly byte[]?[] _ways; // set s holds ways 2s (recent) and 2s + 1
    private readonly int _shift;

    /// <param name="entries">Capacity, a power of two (two ways per set).</param>
    public PieceCountCache(int entries)
    {
        if (entries < 4 || !BitOperations.IsPow2(entries))
        {
            throw new ArgumentOutOfRangeException(nameof(entries), entries, "A power of two of at least 4.");
        }
        _ways = new byte[]?[entries];
        _shift = 64 - BitOperations.Log2((uint)entries / 2);
    }

    public int Capacity => _ways.Length;

    public bool TryGet(ReadOnlySpan<byte> piece, out int count)
    {
        var set = SetOf(piece);
        var ways = _ways;
        var recent = Volatile.Read(ref ways[set]);
        if (Matches(recent, piece))
        {
            count = recent![0];
            return true;
        }
        var older = Volatile.Read(ref ways[set + 1]);
        if (Matches(older, piece))
        {
            // Promote, so that a piece in use outlives the next newcomer to its set.
            Volatile.Write(ref ways[set + 1], recent);
            Volatile.Write(ref ways[set], older);
            count = older![0];
            return true;
        }
        count = 0;
        return false;
    }

    public void Add(ReadOnlySpan<byte> piece, int count)
    {
        if (piece.Length > MaxPieceBytes || (uint)count > byte.MaxValue)
        {
            return;
        }
        var entry = new byte[piece.Length + 1];
        entry[0] = (byte)count;
        piece.CopyTo(entry.AsSpan(1));
        var set = SetOf(piece);
        Volatile.Write(ref _ways[set + 1], Volatile.Read(ref _ways[set]));
        Volatile.Write(ref _ways[set], entry);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Matches(byte[]? entry, ReadOnlySpan<byte> piece) =>
        entry is not null && entry.Length == piece.Length + 1 && entry.AsSpan(1).SequenceEqual(piece);

    private int SetOf(ReadOnlySpan<byte> piece)
    {
        var h = (ulong)piece.Length * 0x9E3779B97F4A7C15UL;
        while (piece.Length >= 8)
        {
            h = BitOperations.RotateLeft((h ^ BinaryPrimitives.ReadUInt64LittleEndian(piece)) * 0xFF51AFD7ED558CCDUL, 29);
            piece = piece[8..];
        }
        ulong tail = 0;
        for (var i = 0; i < piece.Length; i++)
        {
            tail |= (ulong)piece[i] << (8 * i);
        }
        h = (h ^ tail) * 0xC4CEB9FE1A85EC53UL;
        return (int)(h >> _shift) * 2;
    }
}
