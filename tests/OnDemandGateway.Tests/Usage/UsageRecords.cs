using OnDemandGateway.Usage;

namespace OnDemandGateway.Tests.Usage;

/// <summary>Builds usage records for tests; every record gets a unique request id unless one is given.</summary>
internal static class UsageRecords
{
    public static readonly DateTimeOffset Noon = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

    public static UsageRecord Make(
        DateTimeOffset? at = null, string model = "gpt-4o", string key = "alice", string? credential = "ab***@x.io",
        UsageOutcome outcome = UsageOutcome.Success, int prompt = 100, int completion = 20, double latencyMs = 400,
        double? ttftMs = 150, decimal cost = 0.001m, string? id = null, bool stream = true) => new()
    {
        RequestId = id ?? "req-" + Guid.NewGuid().ToString("N"),
        Timestamp = at ?? Noon,
        ClientKey = key,
        Model = model,
        EndpointId = "predefined-openai-gpt4o",
        Credential = credential,
        Stream = stream,
        Outcome = outcome,
        HttpStatus = outcome == UsageOutcome.Success ? 200 : 502,
        PromptTokens = prompt,
        CompletionTokens = completion,
        TokenSource = TokenSource.Upstream,
        LatencyMs = latencyMs,
        TimeToFirstTokenMs = ttftMs,
        CostUsd = cost,
        Error = outcome == UsageOutcome.Success ? null : "upstream said no",
    };
}
