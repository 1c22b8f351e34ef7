using System.Buffers;

namespace OnDemandGateway.Tokenization;

/// <summary>
/// tiktoken's byte-pair merge of one pre-tokenised piece: repeatedly join the adjacent pair whose joined bytes
/// have the lowest rank (leftmost on ties) until no joined pair is a token. Short pieces use tiktoken's linear
/// scan on stack arrays; long ones a heap over a linked list, since the scan is quadratic (100,000 × "a").
/// </summary>
internal static class BytePairMerger
{
    /// <summary>Above this many bytes the heap pays for itself.</summary>
    internal const int LinearLimit = 128;

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

    private static int MergeLinear(BpeRanks ranks, Span<byte> piece, int length, List<int>? ids)
    {
        // start[i] is where part i begins (start[parts] == length); rank[i] ranks joining parts i and i + 1.
        Span<int> start = stackalloc int[length + 1];
        Span<int> rank = stackalloc int[length + 1];
        for (var i = 0; i < length; i++)
        {
            start[i] = i;
            rank[i] = i + 1 < length ? ranks.RankOf(ref piece[i], 2) : BpeRanks.NoRank;
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

    private static int MergeHeap(BpeRanks ranks, Span<byte> piece, int length, List<int>? ids)
    {
        // Parts are a doubly linked list over byte positions; part `length` is the end sentinel.
        var next = ArrayPool<int>.Shared.Rent(length + 1);
        var prev = ArrayPool<int>.Shared.Rent(length + 1);
        var rank = ArrayPool<int>.Shared.Rent(length + 1);
        var heap = new MinHeap(length * 3);
        try
        {
            for (var i = 0; i <= length; i++)
            {
                next[i] = i + 1;
                prev[i] = i - 1;
                rank[i] = i + 1 < length ? ranks.RankOf(ref piece[i], 2) : BpeRanks.NoRank;
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
            return parts;
        }
        finally
        {
            heap.Dispose();
            ArrayPool<int>.Shared.Return(next);
            ArrayPool<int>.Shared.Return(prev);
            ArrayPool<int>.Shared.Return(rank);
        }
    }

    /// <summary>A binary min-heap of (rank, position), ordered so ties go to the leftmost position.</summary>
    private struct MinHeap(int capacity) : IDisposable
    {
        private long[] _items = ArrayPool<long>.Shared.Rent(Math.Max(capacity, 16));
        private int _count;

        public void Push(int rank, int position)
        {
            if (_count == _items.Length)
            {
                var bigger = ArrayPool<long>.Shared.Rent(_items.Length * 2);
                _items.AsSpan(0, _count).CopyTo(bigger);
                ArrayPool<long>.Shared.Return(_items);
                _items = bigger;
            }
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

        public void Dispose() => ArrayPool<long>.Shared.Return(_items);
    }
}
