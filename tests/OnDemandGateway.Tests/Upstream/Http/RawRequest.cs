namespace OnDemandGateway.Tests.Upstream.Http;

/// <summary>A request as it arrived on the wire: the head (request line, headers, blank line) and the body.</summary>
internal sealed record RawRequest(string Head, byte[] Body)
{
    public string RequestLine => Head[..Head.IndexOf("\r\n", StringComparison.Ordinal)];

    /// <summary>The value of the first header called <paramref name="name"/>, or null.</summary>
    public string? Header(string name)
    {
        foreach (var line in Head.Split("\r\n").Skip(1))
        {
            var colon = line.IndexOf(':');
            if (colon > 0 && line[..colon].Equals(name, StringComparison.OrdinalIgnoreCase)) return line[(colon + 1)..].Trim();
        }
        return null;
    }
}
