using OnDemandGateway.Usage;

namespace OnDemandGateway.UsageWriteBench;

/// <summary>Records shaped like the gateway's traffic at a few thousand requests/s: a few models, client keys
/// and credentials, mostly successes, timestamps advancing (crossing an hour boundary), 12-hex-char request ids.</summary>
internal static class Traffic
{
    private static readonly (string Model, string Endpoint)[] Models =
        [("gpt-4o", "predefined-openai-gpt4o"), ("gpt-4o-mini", "predefined-openai-gpt4o-mini"),
         ("claude-3-5-sonnet", "predefined-claude-3.5-sonnet"), ("gemini-1.5-pro", "predefined-gemini-1.5-pro")];
    private static readonly string[] Keys = ["default", "team-a", "ci-bot"];
    private static readonly string[] Credentials = ["ab***cd", "xy***zw"];

    public static UsageRecord[] Generate(int count, int seed)
    {
        var random = new Random(seed);
        // Five minutes before an hour boundary, so the run spans two hourly rollup buckets like real traffic does.
        var at = new DateTimeOffset(2026, 11, 22, 9, 55, 0, TimeSpan.Zero);
        var ids = new HashSet<string>(count, StringComparer.Ordinal);
        var records = new UsageRecord[count];
        Span<byte> idBytes = stackalloc byte[6];
        for (var i = 0; i < count; i++)
        {
            string id;
            do { random.NextBytes(idBytes); id = Convert.ToHexStringLower(idBytes); } while (!ids.Add(id));
            at = at.AddTicks(random.Next(0, 8_000)); // ~0.4 ms apart on average: ~2,500 requests/s
            var (model, endpoint) = Models[random.Next(Models.Length)];
            var roll = random.Next(100);
            var outcome = roll switch
            {
                < 90 => UsageOutcome.Success,
                < 94 => UsageOutcome.RateLimited,
                < 97 => UsageOutcome.UpstreamFault,
                < 99 => UsageOutcome.ClientAborted,
                _ => UsageOutcome.NoCredential,
            };
            var success = outcome == UsageOutcome.Success;
            var stream = random.Next(2) == 0;
            var prompt = random.Next(20, 2_000);
            var completion = success ? random.Next(1, 800) : 0;
            var latency = random.Next(80, 6_000) + random.NextDouble();
            records[i] = new UsageRecord
            {
                RequestId = id,
                Timestamp = at,
                ClientKey = Keys[random.Next(Keys.Length)],
                Model = model,
                EndpointId = endpoint,
                Credential = outcome == UsageOutcome.NoCredential ? null : Credentials[random.Next(Credentials.Length)],
                Stream = stream,
                Outcome = outcome,
                HttpStatus = outcome switch
                {
                    UsageOutcome.Success => 200, UsageOutcome.RateLimited => 429, UsageOutcome.ClientAborted => 499,
                    UsageOutcome.NoCredential => 503, _ => 502,
                },
                PromptTokens = prompt,
                CompletionTokens = completion,
                TokenSource = success ? TokenSource.Upstream : TokenSource.Estimated,
                LatencyMs = latency,
                TimeToFirstTokenMs = stream && success ? latency * random.NextDouble() : null,
                CostUsd = (prompt * 2.5m + completion * 10m) / 1_000_000m,
                Error = success ? null : outcome switch
                {
                    UsageOutcome.RateLimited => "upstream rate limited (429)",
                    UsageOutcome.ClientAborted => "client disconnected",
                    UsageOutcome.NoCredential => "no credential available",
                    _ => "upstream returned 502",
                },
            };
        }
        return records;
    }
}
