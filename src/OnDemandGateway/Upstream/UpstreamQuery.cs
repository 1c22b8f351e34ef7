namespace OnDemandGateway.Upstream;

/// <summary>The body of <c>POST {prefix}/{sessionId}/query</c>. Only what the client set is sent.</summary>
internal sealed record UpstreamQuery(string Query, string EndpointId, ModelConfigs Configs);

internal sealed record ModelConfigs
{
    public string? FulfillmentPrompt { get; init; }
    public double? Temperature { get; init; }
    public double? TopP { get; init; }
    public double? PresencePenalty { get; init; }
    public double? FrequencyPenalty { get; init; }
    public IReadOnlyList<string>? StopSequences { get; init; }
    public int? MaxTokens { get; init; }

    public bool IsEmpty => FulfillmentPrompt is null && Temperature is null && TopP is null && PresencePenalty is null
        && FrequencyPenalty is null && StopSequences is null && MaxTokens is null;
}
