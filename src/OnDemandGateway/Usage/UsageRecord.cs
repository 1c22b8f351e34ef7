namespace OnDemandGateway.Usage;

/// <summary>One row per client request, success or not. Written off the request path.</summary>
public sealed record UsageRecord
{
    public required string RequestId { get; init; }
    public required DateTimeOffset Timestamp { get; init; }
    /// <summary>Client key name (not the token).</summary>
    public required string ClientKey { get; init; }
    /// <summary>The model name the client asked for.</summary>
    public required string Model { get; init; }
    public required string EndpointId { get; init; }
    /// <summary>Masked credential id, or null when no credential was used.</summary>
    public string? Credential { get; init; }
    public required bool Stream { get; init; }
    public required UsageOutcome Outcome { get; init; }
    public required int HttpStatus { get; init; }
    public int PromptTokens { get; init; }
    public int CompletionTokens { get; init; }
    public required TokenSource TokenSource { get; init; }
    public required double LatencyMs { get; init; }
    /// <summary>Null when no token reached the client.</summary>
    public double? TimeToFirstTokenMs { get; init; }
    public decimal CostUsd { get; init; }
    /// <summary>Short, secret-free error text for failed requests.</summary>
    public string? Error { get; init; }
}

/// <summary>How a request ended, classified once.</summary>
public enum UsageOutcome
{
    Success,
    BadRequest,
    Unauthenticated,
    RateLimited,
    UpstreamFault,
    Timeout,
    Transport,
    StreamError,
    Truncated,
    NoCredential,
    ClientAborted,
}

public enum TokenSource { Upstream, Estimated, Partial }
