namespace OnDemandGateway.Upstream.Http;

/// <summary>The parts of an upstream response's status line and headers the gateway acts on.</summary>
internal sealed record ResponseHead(int Status, string ReasonPhrase)
{
    /// <summary>Null when the response has no Content-Length (chunked, or delimited by the connection closing).</summary>
    public long? ContentLength { get; init; }

    public bool Chunked { get; init; }

    /// <summary>The server will close the connection after this response (HTTP/1.0 without keep-alive, or
    /// <c>Connection: close</c>).</summary>
    public bool ConnectionClose { get; init; }

    public string? ContentType { get; init; }

    /// <summary>The raw <c>Retry-After</c> value (seconds or an HTTP date).</summary>
    public string? RetryAfter { get; init; }

    /// <summary>1xx, 204 and 304 responses never carry a body, whatever their headers say.</summary>
    public bool HasNoBody => Status is < 200 or 204 or 304;
}
