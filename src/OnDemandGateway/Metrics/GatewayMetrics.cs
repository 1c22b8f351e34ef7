using System.Collections.Concurrent;
using System.Text.Json;
using OnDemandGateway.Accounts;
using OnDemandGateway.Upstream;
using OnDemandGateway.Usage;
using OnDemandGateway.Usage.Api;

namespace OnDemandGateway.Metrics;

/// <summary>
/// In-process counters behind <c>/metrics</c>, fed synchronously by every usage record. Lock-free on the
/// request path: one dictionary lookup and a few interlocked adds.
/// </summary>
internal sealed class GatewayMetrics : IUsageObserver
{
    /// <summary>Model names come from clients; past this many distinct ones, new names count as "other" so a
    /// client cannot blow up the series count.</summary>
    public const int MaxModels = 100;
    public const string OtherModel = "other";

    private static readonly string[] OutcomeNames = Enum.GetValues<UsageOutcome>()
        .Select(o => JsonNamingPolicy.SnakeCaseLower.ConvertName(o.ToString())).ToArray();

    private static readonly double[] DurationBounds = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
    private static readonly double[] FirstTokenBounds = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    private readonly ConcurrentDictionary<string, long[]> _requests = new(StringComparer.Ordinal);
    private readonly MetricHistogram _duration = new(DurationBounds);
    private readonly MetricHistogram _firstToken = new(FirstTokenBounds);
    private long _promptTokens;
    private long _completionTokens;

    public void Observe(UsageRecord record)
    {
        var outcome = (int)record.Outcome;
        if ((uint)outcome < (uint)OutcomeNames.Length)
            Interlocked.Increment(ref CountersFor(record.Model)[outcome]);
        if (record.PromptTokens > 0) Interlocked.Add(ref _promptTokens, record.PromptTokens);
        if (record.CompletionTokens > 0) Interlocked.Add(ref _completionTokens, record.CompletionTokens);
        _duration.Observe(record.LatencyMs / 1000.0);
        if (record.TimeToFirstTokenMs is { } firstToken) _firstToken.Observe(firstToken / 1000.0);
    }

    private long[] CountersFor(string model)
    {
        if (_requests.TryGetValue(model, out var counters)) return counters;
        // Approximate under races (a few extra names may slip in); the cap only has to bound growth.
        if (_requests.Count >= MaxModels) model = OtherModel;
        return _requests.GetOrAdd(model, static _ => new long[OutcomeNames.Length]);
    }

    public string Render(IReadOnlyList<CredentialStatus> credentials, QueueStatus queue, SessionSupplyCounts sessions = default, int idleUpstreamConnections = 0)
    {
        var text = new PrometheusText();

        text.Family("odg_requests_total", "counter", "Client requests by requested model and outcome.");
        foreach (var (model, counters) in _requests.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            for (var i = 0; i < counters.Length; i++)
            {
                var count = Interlocked.Read(ref counters[i]);
                if (count > 0) text.Sample("odg_requests_total", count, ("model", model), ("outcome", OutcomeNames[i]));
            }
        }

        text.Family("odg_tokens_total", "counter", "Tokens counted, upstream-reported or estimated.")
            .Sample("odg_tokens_total", Interlocked.Read(ref _promptTokens), ("kind", "prompt"))
            .Sample("odg_tokens_total", Interlocked.Read(ref _completionTokens), ("kind", "completion"));

        text.Histogram("odg_request_duration_seconds", "Time from request to the end of the response.", _duration);
        text.Histogram("odg_time_to_first_token_seconds", "Time from request to the first answer token sent to the client.", _firstToken);

        text.Family("odg_credentials", "gauge", "Upstream credentials by state.");
        foreach (var state in (string[])[CredentialStates.Ok, CredentialStates.Cooling, CredentialStates.Invalid])
            text.Sample("odg_credentials", credentials.Count(c => c.State == state), ("state", state));

        text.Family("odg_upstream_sessions_total", "counter", "Upstream sessions requests used: from the reserve created ahead, or created on the spot (an extra round trip).")
            .Sample("odg_upstream_sessions_total", sessions.FromReserve, ("source", "reserve"))
            .Sample("odg_upstream_sessions_total", sessions.CreatedInline, ("source", "inline"));

        text.Family("odg_usage_queue_dropped_total", "counter", "Usage records lost because the queue was full or the store failed.")
            .Sample("odg_usage_queue_dropped_total", queue.Dropped);
        text.Family("odg_usage_queue_pending", "gauge", "Usage records waiting to be written.")
            .Sample("odg_usage_queue_pending", queue.Pending);

        RuntimeMetrics.Write(text, idleUpstreamConnections);
        return text.ToString();
    }
}
