using System.Text.Json;

namespace OnDemandGateway.FakeUpstream.Protocol;

/// <summary>A validated query body. <see cref="ModelConfigs"/> is detached from the parsed document.</summary>
internal sealed record QueryRequest(string Query, string EndpointId, string ResponseMode, JsonElement? ModelConfigs);
