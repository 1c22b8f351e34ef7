namespace OnDemandGateway.Usage.Legacy;

/// <summary>Counts from one entry of the Flask proxy's statistics. Null where the file did not say.</summary>
internal sealed record LegacyFigures(long Requests, long? Successes, long? Failures, long PromptTokens, long CompletionTokens, decimal Cost)
{
    /// <summary>Successes when the file gave them (directly or as requests − failures), else null.</summary>
    public long? KnownSuccesses => Successes ?? (Failures is { } f ? Math.Max(0, Requests - f) : null);

    public long Tokens => PromptTokens + CompletionTokens;
}
