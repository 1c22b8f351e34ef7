namespace OnDemandGateway.FakeUpstream.Streaming;

/// <summary>The deterministic reply when no script answers a query, and how answers are cut into deltas.
/// Rule: text = "Fake answer to: " + the first 60 chars of the query; inputTokens = ceil(query chars / 4)
/// (at least 1); outputTokens = the number of fulfillment frames sent. Each piece stands for one model token, so
/// a query with <c>modelConfigs.maxTokens</c> M gets the answer's first M pieces only, as a model stops at its limit
/// (<see cref="Limit"/>).</summary>
internal static class DefaultAnswer
{
    public const int QueryPrefixChars = 60;

    public static string TextFor(string query)
    {
        var take = Math.Min(query.Length, QueryPrefixChars);
        if (take > 0 && take < query.Length && char.IsHighSurrogate(query[take - 1]))
        {
            take--; // never cut a surrogate pair in half
        }

        return "Fake answer to: " + query[..take];
    }

    /// <summary>The first <paramref name="maxTokens"/> pieces, when a limit is set and the answer is longer.</summary>
    public static List<string> Limit(List<string> pieces, int? maxTokens) =>
        maxTokens is { } limit && limit < pieces.Count ? pieces[..limit] : pieces;

    public static int InputTokensFor(string query) => Math.Max(1, (query.Length + 3) / 4);

    /// <summary>Up to <paramref name="parts"/> non-empty pieces of near-equal length, never splitting a surrogate pair.</summary>
    public static List<string> Split(string text, int parts)
    {
        var pieces = new List<string>(Math.Min(parts, text.Length));
        var n = Math.Min(parts, text.Length);
        var start = 0;
        for (var i = 1; i <= n; i++)
        {
            var end = i == n ? text.Length : (int)((long)text.Length * i / n);
            if (end < text.Length && end > start && char.IsLowSurrogate(text[end]))
            {
                end++;
            }

            if (end > start)
            {
                pieces.Add(text[start..end]);
                start = end;
            }
        }

        return pieces;
    }
}
