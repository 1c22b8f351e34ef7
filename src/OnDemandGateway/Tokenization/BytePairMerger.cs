using System.Buffers;

namespace OnDemandGateway.Tokenization;

/// <summary>
/// tiktoken's byte-pair merge of one pre-tokenised piece: repeatedly join the adjacent pair of parts with the
/// lowest merged rank (leftmost on ties) until no pair merges. Parts are token ids from the start (one per byte),
/// and a merge is a lookup of two ids in <see cref="TokenPairTable"/>, never of bytes. Pieces use tiktoken's
/// linear scan on stack arrays, plain up to <see cref="ScalarLimit"/> bytes and in vectors above; long ones a
/// heap over a linked list, since the scan is quadratic (100,000 × "a": tens of seconds).
/// </summary>
internal static class BytePairMerger
{
    /// <summary>Up to this many bytes a plain loop beats the vector scan's set-up (measured on the benchmark
    /// text and on the rank files' own tokens, which loading merges).</summary>
    internal const int ScalarLimit = 32;

    /// <summary>Above this many bytes the heap pays for itself.</summary>
    internal const int LinearLimit = 256;

    /// <summary>Pieces up to this many bytes merge on stack memory.</summary>
    private const int StackLimit = 256;

    /// <summary>Merges <paramref name="piece"/>, appends the token ids to <paramref name="ids"/> when given, and
    /// returns the number of tokens.</summary>
    public static int Merge(BpeRanks ranks, ReadOnlySpan<byte> piece, List<int>? ids)
    {
        if (piece.Length <= StackLimit)
        {
            Span<int> tokens = stackalloc int[piece.Length];
            var parts = MergeInto(ranks, piece, tokens);
            AddIds(ranks, tokens[..parts], ids);
            return parts;
        }
        var rented = ArrayPool<int>.Shared.Rent(piece.Length);
        try
        {
            var parts = MergeHeap(ranks, piece, rented);
            AddIds(ranks, rented.AsSpan(0, parts), ids);
            return parts;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(rented);
        }
    }

    /// <summary>Merges <paramref name="piece"/> and leaves the tokens at the start of <paramref name="tokens"/>
    /// (at least as long as the piece); returns how many there are.</summary>
    public static int MergeInto(BpeRanks ranks, ReadOnlySpan<byte> piece, Span<int> tokens) =>
        piece.Length <= ScalarLimit ? MergeScan(ranks, piece, tokens)
        : piece.Length <= LinearLimit ? MergeVectorScan(ranks, piece, tokens)
        : MergeHeap(ranks, piece, tokens);

    private static void AddIds(BpeRanks ranks, ReadOnlySpan<int> tokens, List<int>? ids)
    {
        if (ids is null)
        {
            return;
        }
        foreach (var token in tokens)
        {
            // A byte with no token of its own (only in hand-made rank files) is reported as NoRank, as before.
            ids.Add(token == ranks.MissingByte ? BpeRanks.NoRank : token);
        }
    }

    internal static int MergeScan(BpeRanks ranks, ReadOnlySpan<byte> piece, Span<int> tokens)
    {
        var length = piece.Length;
        if (length <= 1)
        {
            return Single(ranks, piece, tokens);
        }
        // rank[i] is what tokens i and i + 1 merge into.
        Span<int> rank = stackalloc int[length];
        SeedFromBytes(ranks, piece, tokens, rank);
        var pairs = ranks.Pairs;
        var parts = length;
        while (true)
        {
            var best = BpeRanks.NoRank;
            var at = -1;
            for (var i = 0; i < parts - 1; i++)
            {
                if (rank[i] < best)
                {
                    best = rank[i];
                    at = i;
                }
            }
            if (at < 0)
            {
                return parts;
            }
            tokens[at] = best;
            for (var i = at + 1; i < parts - 1; i++)
            {
                tokens[i] = tokens[i + 1];
                rank[i] = rank[i + 1];
            }
            parts--;
            rank[at] = at + 1 < parts ? pairs.Merged(best, tokens[at + 1]) : BpeRanks.NoRank;
            if (at > 0)
            {
                rank[at - 1] = pairs.Merged(tokens[at - 1], best);
            }
        }
    }

    /// <summary>Every byte its own part; <paramref name="rank"/>[i] is what parts i and i + 1 merge into.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void SeedFromBytes(BpeRanks ranks, ReadOnlySpan<byte> piece, Span<int> parts, Span<int> rank)
    {
        var last = piece.Length - 1;
        for (var i = 0; i < last; i++)
        {
            parts[i] = ranks.ByteRankOf(piece[i]);
            rank[i] = ranks.PairRankOf(piece[i], piece[i + 1]);
        }
        parts[last] = ranks.ByteRankOf(piece[last]);
    }

    internal static int MergeVectorScan(BpeRanks ranks, ReadOnlySpan<byte> piece, Span<int> tokens)
    {
        var length = piece.Length;
        if (length <= 1)
        {
            return Single(ranks, piece, tokens);
        }
        // part[i] is the token of part i, rank[i] what parts i and i + 1 merge into. Both have a vector of
        // slack past the parts, and every rank slot from parts - 1 on holds NoRank, so the minimum search and
        // the shifts run in whole vectors with no tail loops.
        var size = VectorMin.RoundUp(length) + VectorMin.Width;
        Span<int> part = stackalloc int[size];
        Span<int> rank = stackalloc int[size];
        rank[(length - 1)..].Fill(BpeRanks.NoRank);
        SeedFromBytes(ranks, piece, part, rank);
        var pairs = ranks.Pairs;
        var parts = length;
        while (true)
        {
            var at = VectorMin.IndexOfMin(rank[..VectorMin.RoundUp(parts)], out var best);
            if (best == BpeRanks.NoRank)
            {
                break;
            }
            // Remove part at + 1; the NoRank in rank[parts - 1] moves down to be the new last slot's sentinel.
            part[at] = best;
            VectorMin.ShiftLeft(part, at + 1, parts);
            VectorMin.ShiftLeft(rank, at + 1, parts);
            parts--;
            rank[at] = at + 1 < parts ? pairs.Merged(best, part[at + 1]) : BpeRanks.NoRank;
            if (at > 0)
            {
                rank[at - 1] = pairs.Merged(part[at - 1], best);
            }
        }
        part[..parts].CopyTo(tokens);
        return parts;
    }

    internal static int MergeHeap(BpeRanks ranks, ReadOnlySpan<byte> piece, Span<int> tokens)
    {
        var length = piece.Length;
        if (length <= 1)
        {
            return Single(ranks, piece, tokens);
        }
        // Every merge pushes at most two entries, so 3 × length bounds the heap.
        int[]? rentedInts = null;
        long[]? rentedHeap = null;
        var ints = length <= StackLimit
            ? stackalloc int[3 * (length + 1)]
            : (rentedInts = ArrayPool<int>.Shared.Rent(3 * (length + 1)));
        var heap = new MinHeap(length <= StackLimit
            ? stackalloc long[3 * length]
            : (rentedHeap = ArrayPool<long>.Shared.Rent(3 * length)));
        // Parts are a doubly linked list over byte positions (part `length` is the end sentinel); tokens[i] is
        // the token of the part starting at i.
        var next = ints[..(length + 1)];
        var prev = ints.Slice(length + 1, length + 1);
        var rank = ints.Slice(2 * (length + 1), length + 1);
        for (var i = 0; i <= length; i++)
        {
            next[i] = i + 1;
            prev[i] = i - 1;
            rank[i] = i + 1 < length ? ranks.PairRankOf(piece[i], piece[i + 1]) : BpeRanks.NoRank;
            if (rank[i] != BpeRanks.NoRank)
            {
                heap.Push(rank[i], i);
            }
        }
        for (var i = 0; i < length; i++)
        {
            tokens[i] = ranks.ByteRankOf(piece[i]);
        }
        var pairs = ranks.Pairs;
        while (heap.TryPop(out var r, out var i))
        {
            // Entries go stale when a part is absorbed or its pair re-ranked; a live entry matches rank[i].
            if (rank[i] != r)
            {
                continue;
            }
            var absorbed = next[i];
            next[i] = next[absorbed];
            prev[next[i]] = i;
            rank[absorbed] = BpeRanks.NoRank;
            tokens[i] = r;
            rank[i] = next[i] < length ? pairs.Merged(r, tokens[next[i]]) : BpeRanks.NoRank;
            if (rank[i] != BpeRanks.NoRank)
            {
                heap.Push(rank[i], i);
            }
            var p = prev[i];
            if (p >= 0)
            {
                rank[p] = pairs.Merged(tokens[p], r);
                if (rank[p] != BpeRanks.NoRank)
                {
                    heap.Push(rank[p], p);
                }
            }
        }
        // Compact the surviving parts to the front; each moves left or stays, so nothing is overwritten early.
        var parts = 0;
        for (var i = 0; i < length; i = next[i])
        {
            tokens[parts++] = tokens[i];
        }
        if (rentedInts is not null)
        {
            ArrayPool<int>.Shared.Return(rentedInts);
        }
        if (rentedHeap is not null)
        {
            ArrayPool<long>.Shared.Return(rentedHeap);
        }
        return parts;
    }

    private static int Single(BpeRanks ranks, ReadOnlySpan<byte> piece, Span<int> tokens)
    {
        if (piece.IsEmpty)
        {
            return 0;
        }
        tokens[0] = ranks.ByteRankOf(piece[0]);
        return 1;
    }

    /// <summary>A binary min-heap of (rank, position) over caller-provided storage; ties go to the leftmost
    /// position, as in tiktoken's scan.</summary>
    private ref struct MinHeap(Span<long> items)
    {
        private readonly Span<long> _items = items;
        private int _count;

        public void Push(int rank, int position)
        {
            var item = ((long)rank << 32) | (uint)position;
            var i = _count++;
            while (i > 0)
            {
                var parent = (i - 1) >> 1;
                if (_items[parent] <= item)
                {
                    break;
                }
                _items[i] = _items[parent];
                i = parent;
            }
            _items[i] = item;
        }

        public bool TryPop(out int rank, out int position)
        {
            if (_count == 0)
            {
                rank = position = 0;
                return false;
            }
            var top = _items[0];
            var last = _items[--_count];
            var i = 0;
            while (true)
            {
                var child = 2 * i + 1;
                if (child >= _count)
                {
                    break;
                }
                if (child + 1 < _count && _items[child + 1] < _items[child])
                {
                    child++;
                }
                if (last <= _items[child])
                {
                    break;
                }
                _items[i] = _items[child];
                i = child;
            }
            _items[i] = last;
            rank = (int)(top >> 32);
            position = (int)top;
            return true;
        }
    }
}
