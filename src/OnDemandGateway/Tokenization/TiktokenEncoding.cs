using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;
using System.Text.Unicode;

namespace OnDemandGateway.Tokenization;

/// <summary>
/// One tiktoken encoding: pre-tokenise with the encoding's pattern, then byte-pair merge each piece. Matches
/// tiktoken's <c>encode_ordinary</c> (special-token text such as "&lt;|endoftext|&gt;" is plain text). The
/// rank table loads on first use or on <see cref="WarmUp"/>; instances are immutable and thread-safe.
/// </summary>
internal sealed class TiktokenEncoding
{
    private readonly Regex _pattern;
    private readonly Lazy<BpeRanks> _ranks;

    private TiktokenEncoding(string name, Regex pattern)
    {
        Name = name;
        _pattern = pattern;
        _ranks = new Lazy<BpeRanks>(() => BpeRankData.Load(name), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>GPT-4o, GPT-4.1, GPT-5, o1, o3, o4-mini.</summary>
    public static TiktokenEncoding O200kBase { get; } = new("o200k_base", TiktokenPatterns.O200k());

    /// <summary>GPT-4, GPT-3.5-turbo.</summary>
    public static TiktokenEncoding Cl100kBase { get; } = new("cl100k_base", TiktokenPatterns.Cl100k());

    public string Name { get; }

    internal BpeRanks Ranks => _ranks.Value;

    /// <summary>Whether the rank table has been loaded.</summary>
    public bool IsLoaded => _ranks.IsValueCreated;

    /// <summary>Loads the rank table now (a few tens of milliseconds) instead of on the first count.</summary>
    public void WarmUp() => _ = _ranks.Value;

    public int CountTokens(string text) => CountTokens(text.AsSpan());

    public int CountTokens(ReadOnlySpan<char> text) => Run(text, null);

    public int[] Encode(string text)
    {
        var ids = new List<int>(text.Length / 3 + 1);
        Run(text, ids);
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
        var source = StandInText.Create(text);
        var pieces = new List<string>();
        foreach (var match in _pattern.EnumerateMatches(source.Matchable))
        {
            pieces.Add(new string(source.Original[source.ToOriginal(match.Index)..source.ToOriginal(match.Index + match.Length)]));
        }
        return pieces;
    }

    private int Run(ReadOnlySpan<char> text, List<int>? ids)
    {
        if (text.IsEmpty)
        {
            return 0;
        }
        var ranks = Ranks;
        var source = StandInText.Create(text);
        var buffer = ArrayPool<byte>.Shared.Rent(1024);
        var count = 0;
        try
        {
            foreach (var match in _pattern.EnumerateMatches(source.Matchable))
            {
                var start = source.ToOriginal(match.Index);
                var piece = source.Original[start..source.ToOriginal(match.Index + match.Length)];
                if (piece.Length * 3 + BpeRanks.Padding > buffer.Length)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(piece.Length * 3 + BpeRanks.Padding);
                }
                Utf8.FromUtf16(piece, buffer, out _, out var length);
                if (length == 0)
                {
                    continue;
                }
                // Most pieces are a token already; tiktoken checks the whole piece first too.
                var whole = ranks.RankOf(ref buffer[0], length);
                if (whole != BpeRanks.NoRank)
                {
                    ids?.Add(whole);
                    count++;
                    continue;
                }
                count += BytePairMerger.Merge(ranks, buffer.AsSpan(0, length), ids);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return count;
    }
}
