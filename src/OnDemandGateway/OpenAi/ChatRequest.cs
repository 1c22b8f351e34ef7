namespace OnDemandGateway.OpenAi;

/// <summary>A validated <c>/v1/chat/completions</c> request: only what the client set is non-null.</summary>
internal sealed record ChatRequest
{
    public string? Model { get; init; }
    public required IReadOnlyList<ChatMessage> Messages { get; init; }
    public bool Stream { get; init; }
    public bool IncludeUsage { get; init; }
    public double? Temperature { get; init; }
    public double? TopP { get; init; }
    public double? PresencePenalty { get; init; }
    public double? FrequencyPenalty { get; init; }
    public IReadOnlyList<string>? Stop { get; init; }
    public int? MaxTokens { get; init; }
}
