using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;
using System.Text.Unicode;

namespace OnDemandGateway.Tokenization;

/// <summary>
/// One tiktoken encoding: pre-tokenise (<see cref="PieceSplitter"/>, equal to the encoding's pattern), then
/// byte-pair merge each piece. Matches
/// tiktoken's <c>encode_ordinary</c> (special-token text such as "&lt;|endoftext|&gt;" is plain text). The
/// rank table loads on first use or on <see cref="WarmUp"/>; instances are immutable and thread-safe.
/// </summary>
internal sealed class TiktokenEncoding
{
    private readonly Regex _pattern;
    private readonly PieceSplitter _splitter;
    private readonly Lazy<BpeRanks> _ranks;

    // 4,096 pieces: at most ~300 KB per encoding, enough for the repeated words of a busy gateway's traffic.
    private readonly PieceCountCache _cache = new(4096);

    private TiktokenEncoding(string name, Regex pattern, PieceSplitter splitter)
    {
        Name = name;
        _pattern = pattern;
        _splitter = splitter;
        _ranks = new Lazy<BpeRanks>(() => BpeRankData.Load(name), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>GPT-4o, GPT-4.1, GPT-5, o1, o3, o4-mini.</summary>
    public static TiktokenEncoding O200kBase { get; } = new("o200k_base", TiktokenPatterns.O200k(), O200kPieceSplitter.Instance);

    /// <summary>GPT-4, GPT-3.5-turbo.</summary>
    public static TiktokenEncoding Cl100kBase { get; } = new("cl100k_base", TiktokenPatterns.Cl100k(), Cl100kPieceSplitter.Instance);

    public string Name { get; }

    internal BpeRanks Ranks => _ranks.Value;

    /// <summary>Whether the rank table has been loaded.</summary>
    public bool IsLoaded => _ranks.IsValueCreated;

    /// <summary>Loads the rank table now (a few tens of milliseconds) instead of on the first count.</summary>
    public void WarmUp() => _ = _ranks.Value;

    public int CountTokens(string text) => CountTokens(text.AsSpan());

    public int CountTokens(ReadOnlySpan<char> text) => Run(text, null, _cache);

    /// <summary>Counts without the piece cache: for the benchmark and for tests that compare the two.</summary>
    internal int CountTokensUncached(ReadOnlySpan<char> text) => Run(text, null, null);

    public int[] Encode(string text)
    {
        var ids = new List<int>(text.Length / 3 + 1);
        Run(text, ids, null);
        return [.. ids];
    }

    /// <summary>Token bytes joined and read as UTF-8; a split multi-byte character becomes U+FFFD, as in
    /// tiktoken's <c>decode</c>.</summary>
    public string Decode(IEnumerable<int> ids)
    {
        var ranks = Ranks;
        var bytes = new ArrayBufferWriter<byte>();
        foreach (var id in ids)
        {
            bytes.Write(ranks.BytesOf(id));
        }
        return Encoding.UTF8.GetString(bytes.WrittenSpan);
    }

    /// <summary>The pre-tokenised pieces (before merging), for tests and diagnostics.</summary>
    internal List<string> SplitPieces(string text)
    {
        var pieces = new List<string>();
        for (var start = 0; start < text.Length;)
        {
            var end = _splitter.PieceEnd(text, start);
            pieces.Add(FixSurrogates(text.AsSpan(start, end - start)));
            start = end;
        }
        return pieces;
    }

    /// <summary>The pieces as the encoding's regex finds them: the reference the splitter is tested against.</summary>
    internal List<string> SplitPiecesWithPattern(string text)
    {
        var source = StandInText.Create(text);
        var pieces = new List<string>();
        foreach (var match in _pattern.EnumerateMatches(source.Matchable))
        {
            pieces.Add(new string(source.Original[source.ToOriginal(match.Index)..source.ToOriginal(match.Index + match.Length)]));
        }
        return pieces;
    }

    private int Run(ReadOnlySpan<char> text, List<int>? ids, PieceCountCache? cache)
    {
        if (text.IsEmpty)
        {
            return 0;
        }
        var ranks = Ranks;
        var splitter = _splitter;
        var buffer = ArrayPool<byte>.Shared.Rent(1024);
        var count = 0;
        try
        {
            for (var start = 0; start < text.Length;)
            {
                var end = splitter.PieceEnd(text, start);
                var piece = text[start..end];
                start = end;
                if (piece.Length * 3 + BpeRanks.Padding > buffer.Length)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(piece.Length * 3 + BpeRanks.Padding);
                }
                var length = ToUtf8(piece, buffer);
                // Most pieces are a token already; tiktoken checks the whole piece first too.
                var whole = ranks.RankOf(ref buffer[0], length);
                if (whole != BpeRanks.NoRank)
                {
                    ids?.Add(whole);
                    count++;
                    continue;
                }
                var bytes = buffer.AsSpan(0, length);
                if (cache is not null && length <= PieceCountCache.MaxPieceBytes)
                {
                    if (!cache.TryGet(bytes, out var tokens))
                    {
                        tokens = BytePairMerger.Merge(ranks, bytes, null);
                        cache.Add(bytes, tokens);
                    }
                    count += tokens;
                    continue;
                }
                count += BytePairMerger.Merge(ranks, bytes, ids);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return count;
    }

    /// <summary>The piece's UTF-8 bytes into <paramref name="buffer"/> (long enough); returns their number.</summary>
    private static int ToUtf8(ReadOnlySpan<char> piece, byte[] buffer)
    {
        // Most pieces are short and ASCII, where a plain loop beats the general transcoder's set-up.
        for (var i = 0; i < piece.Length; i++)
        {
            var c = piece[i];
            if (c >= 0x80)
            {
                // Also writes a lone surrogate as U+FFFD, as tiktoken does.
                Utf8.FromUtf16(piece, buffer, out _, out var length);
                return length;
            }
            buffer[i] = (byte)c;
        }
        return piece.Length;
    }

    /// <summary>Lone surrogates as U+FFFD, which is what gets encoded.</summary>
    private static string FixSurrogates(ReadOnlySpan<char> piece)
    {
        var chars = piece.ToArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (char.IsHighSurrogate(chars[i]) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(chars[i]))
            {
                chars[i] = '\uFFFD';
            }
        }
        return new string(chars);
    }
}
