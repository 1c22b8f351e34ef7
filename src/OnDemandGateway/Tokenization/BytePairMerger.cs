using System.Buffers;

namespace OnDemandGateway.Tokenization;

/// <summary>
/// tiktoken's byte-pair merge of one pre-tokenised piece: repeatedly join the adjacent pair whose joined bytes
/// have the lowest rank (leftmost on ties) until no joined pair is a token. Short pieces use tiktoken's linear
/// scan on stack arrays; longer ones a heap over a linked list, since the scan is quadratic (100,000 × "a": tens of seconds).
/// </summary>
internal static class BytePairMerger
{
    /// <summary>Above this many bytes the heap pays for itself (measured: the scan's cost grows with the square
    /// of the piece, and CJK runs are often 30-90 bytes).</summary>
    internal const int LinearLimit = 16;

    /// <summary>Pieces up to this many bytes merge on stack memory.</summary>
    private const int StackLimit = 256;

    /// <summary>Merges <paramref name="length"/> bytes at the start of <paramref name="piece"/> (which must have
    /// <see cref="BpeRanks.Padding"/> readable bytes beyond them), appends the token ids to
    /// <paramref name="ids"/> when given, and returns the number of tokens.</summary>
    public static int Merge(BpeRanks ranks, Span<byte> piece, int length, List<int>? ids)
    {
        if (length <= 1)
        {
            return AppendWhole(ranks, piece, length, ids);
        }
        return length <= LinearLimit ? MergeLinear(ranks, piece, length, ids) : MergeHeap(ranks, piece, length, ids);
    }

    private static int AppendWhole(BpeRanks ranks, Span<byte> piece, int length, List<int>? ids)
    {
        if (length == 0)
        {
            return 0;
        }
        ids?.Add(ranks.RankOf(ref piece[0], length));
        return 1;
    }

    internal static int MergeLinear(BpeRanks ranks, Span<byte> piece, int length, List<int>? ids)
    {
        // start[i] is where part i begins (start[parts] == length); rank[i] ranks joining parts i and i + 1.
        Span<int> start = stackalloc int[length + 1];
        Span<int> rank = stackalloc int[length + 1];
        for (var i = 0; i < length; i++)
        {
            start[i] = i;
            rank[i] = i + 1 < length ? ranks.PairRankOf(piece[i], piece[i + 1]) : BpeRanks.NoRank;
        }
        start[length] = length;
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
                break;
            }
            start[(at + 2)..(parts + 1)].CopyTo(start[(at + 1)..]);
            rank[(at + 2)..parts].CopyTo(rank[(at + 1)..]);
            parts--;
            rank[at] = at + 2 <= parts ? ranks.RankOf(ref piece[start[at]], start[at + 2] - start[at]) : BpeRanks.NoRank;
            if (at > 0)
            {
                rank[at - 1] = ranks.RankOf(ref piece[start[at - 1]], start[at + 1] - start[at - 1]);
            }
        }
        if (ids is not null)
        {
            for (var i = 0; i < parts; i++)
            {
                ids.Add(ranks.RankOf(ref piece[start[i]], start[i + 1] - start[i]));
            }
        }
        return parts;
    }

    internal static int MergeHeap(BpeRanks ranks, Span<byte> piece, int length, List<int>? ids)
    {
        // Every merge pushes at most two entries, so 3 × length bounds the heap.
        int[]? rentedInts = null;
        long[]? rentedHeap = null;
        var ints = length <= StackLimit
            ? stackalloc int[3 * (length + 1)]
            : (rentedInts = ArrayPool<int>.Shared.Rent(3 * (length + 1)));
        var heap = new MinHeap(length <= StackLimit
            ? stackalloc long[3 * length]
            : (rentedHeap = ArrayPool<long>.Shared.Rent(3 * length)));
        // Parts are a doubly linked list over byte positions; part `length` is the end sentinel.
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
        var parts = length;
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
            parts--;
            rank[i] = next[i] < length ? ranks.RankOf(ref piece[i], next[next[i]] - i) : BpeRanks.NoRank;
            if (rank[i] != BpeRanks.NoRank)
            {
                heap.Push(rank[i], i);
            }
            var p = prev[i];
            if (p >= 0)
            {
                rank[p] = ranks.RankOf(ref piece[p], next[i] - p);
                if (rank[p] != BpeRanks.NoRank)
                {
                    heap.Push(rank[p], p);
                }
            }
        }
        if (ids is not null)
        {
            for (var i = 0; i < length; i = next[i])
            {
                ids.Add(ranks.RankOf(ref piece[i], next[i] - i));
            }
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
