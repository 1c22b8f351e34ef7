using System.Text.Json;

namespace OnDemandGateway.FakeUpstream.Protocol;

/// <summary>A validated query body. <see cref="ModelConfigs"/> is detached from the parsed document.</summary>
internal sealed record QueryRequest(string Query, string EndpointId, string ResponseMode, JsonElement? ModelConfigs)
{
    /// <summary><c>modelConfigs.maxTokens</c> when set (the validator has checked it is a positive integer).</summary>
    public int? MaxTokens => ModelConfigs is { } configs && configs.TryGetProperty("maxTokens", out var value) && value.TryGetInt32(out var n) ? n : null;
}
