namespace OnDemandGateway.Upstream;

/// <summary>A classified upstream failure. <see cref="Message"/> is upstream text or ours; never a secret.</summary>
internal sealed record UpstreamError(UpstreamErrorKind Kind, int? Status, string? Code, string Message, TimeSpan? RetryAfter = null)
{
    public override string ToString() => Status is { } s ? $"{Kind} ({s} {Code}): {Message}" : $"{Kind}: {Message}";
}
