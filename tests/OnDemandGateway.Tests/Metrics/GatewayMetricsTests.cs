using System.Text.RegularExpressions;
using OnDemandGateway.Accounts;
using OnDemandGateway.Metrics;
using OnDemandGateway.Tests.TestSupport;
using OnDemandGateway.Usage;
using OnDemandGateway.Usage.Api;

namespace OnDemandGateway.Tests.Metrics;

public sealed partial class GatewayMetricsTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 13, 8, 0, 0, TimeSpan.Zero);
    private static readonly QueueStatus EmptyQueue = new(0, 0);

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void Render_AfterRecords_CountsRequestsByModelAndOutcome()
    {
        var metrics = new GatewayMetrics();
        metrics.Observe(SampleUsage.Record(At, model: "gpt-4o"));
        metrics.Observe(SampleUsage.Record(At, model: "gpt-4o"));
        metrics.Observe(SampleUsage.Record(At, model: "gpt-4o", outcome: UsageOutcome.RateLimited));
        metrics.Observe(SampleUsage.Record(At, model: "claude-4-sonnet", outcome: UsageOutcome.StreamError));

        var lines = Lines(metrics.Render([], EmptyQueue));

        Assert.Contains("# TYPE odg_requests_total counter", lines);
        Assert.Contains("odg_requests_total{model=\"gpt-4o\",outcome=\"success\"} 2", lines);
        Assert.Contains("odg_requests_total{model=\"gpt-4o\",outcome=\"rate_limited\"} 1", lines);
        Assert.Contains("odg_requests_total{model=\"claude-4-sonnet\",outcome=\"stream_error\"} 1", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("odg_requests_total{model=\"claude-4-sonnet\",outcome=\"success\"}"));
    }

    [Fact]
    public void Render_Tokens_SplitByKind()
    {
        var metrics = new GatewayMetrics();
        metrics.Observe(SampleUsage.Record(At, promptTokens: 1200, completionTokens: 35));
        metrics.Observe(SampleUsage.Record(At, promptTokens: 10, completionTokens: 5));

        var lines = Lines(metrics.Render([], EmptyQueue));

        Assert.Contains("odg_tokens_total{kind=\"prompt\"} 1210", lines);
        Assert.Contains("odg_tokens_total{kind=\"completion\"} 40", lines);
    }

    [Fact]
    public void Render_DurationHistogram_CumulativeBucketsSumAndCount()
    {
        var metrics = new GatewayMetrics();
        foreach (var ms in new[] { 50.0, 100.0, 700.0, 4_000.0, 1_000_000.0 })
            metrics.Observe(SampleUsage.Record(At, latencyMs: ms));

        var lines = Lines(metrics.Render([], EmptyQueue));

        Assert.Contains("# TYPE odg_request_duration_seconds histogram", lines);
        Assert.Contains("odg_request_duration_seconds_bucket{le=\"0.1\"} 2", lines);   // 0.05 and exactly 0.1
        Assert.Contains("odg_request_duration_seconds_bucket{le=\"0.25\"} 2", lines);
        Assert.Contains("odg_request_duration_seconds_bucket{le=\"1\"} 3", lines);
        Assert.Contains("odg_request_duration_seconds_bucket{le=\"5\"} 4", lines);
        Assert.Contains("odg_request_duration_seconds_bucket{le=\"300\"} 4", lines);
        Assert.Contains("odg_request_duration_seconds_bucket{le=\"+Inf\"} 5", lines);
        Assert.Contains("odg_request_duration_seconds_count 5", lines);
        var sum = lines.Single(l => l.StartsWith("odg_request_duration_seconds_sum "));
        Assert.Equal(1004.85, double.Parse(sum.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture), 6);
    }

    [Fact]
    public void Render_FirstTokenHistogram_OnlyRequestsThatSentAToken()
    {
        var metrics = new GatewayMetrics();
        metrics.Observe(SampleUsage.Record(At, firstTokenMs: 300));
        metrics.Observe(SampleUsage.Record(At, firstTokenMs: null, outcome: UsageOutcome.UpstreamFault));

        var lines = Lines(metrics.Render([], EmptyQueue));

        Assert.Contains("odg_time_to_first_token_seconds_bucket{le=\"0.5\"} 1", lines);
        Assert.Contains("odg_time_to_first_token_seconds_count 1", lines);
        Assert.Contains("odg_time_to_first_token_seconds_sum 0.3", lines);
        Assert.Contains("odg_request_duration_seconds_count 2", lines);
    }

    [Fact]
    public void Render_CredentialsAndQueue_Gauges()
    {
        var metrics = new GatewayMetrics();
        CredentialStatus Status(string id, string state) => new(id, "api_key", state, null, null, 0, 0, 0);

        var lines = Lines(metrics.Render(
            [Status("a", CredentialStates.Ok), Status("b", CredentialStates.Ok), Status("c", CredentialStates.Cooling)],
            new QueueStatus(Pending: 7, Dropped: 3)));

        Assert.Contains("odg_credentials{state=\"ok\"} 2", lines);
        Assert.Contains("odg_credentials{state=\"cooling\"} 1", lines);
        Assert.Contains("odg_credentials{state=\"invalid\"} 0", lines);
        Assert.Contains("odg_usage_queue_dropped_total 3", lines);
        Assert.Contains("odg_usage_queue_pending 7", lines);
    }

    [Fact]
    public void Render_ModelWithQuotesBackslashAndNewline_EscapesLabelValue()
    {
        var metrics = new GatewayMetrics();
        metrics.Observe(SampleUsage.Record(At, model: "we\"ird\\mo\ndel"));

        var lines = Lines(metrics.Render([], EmptyQueue));

        Assert.Contains("odg_requests_total{model=\"we\\\"ird\\\\mo\\ndel\",outcome=\"success\"} 1", lines);
    }

    [Fact]
    public void Render_TooManyModels_FoldsNewOnesIntoOther()
    {
        var metrics = new GatewayMetrics();
        for (var i = 0; i < GatewayMetrics.MaxModels + 5; i++)
            metrics.Observe(SampleUsage.Record(At, model: "model-" + i));

        var lines = Lines(metrics.Render([], EmptyQueue));

        Assert.Equal(GatewayMetrics.MaxModels + 1, lines.Count(l => l.StartsWith("odg_requests_total{")));
        Assert.Contains("odg_requests_total{model=\"other\",outcome=\"success\"} 5", lines);
    }

    [Fact]
    public void Observe_ConcurrentWriters_LosesNoCounts()
    {
        var metrics = new GatewayMetrics();
        const int Threads = 8, PerThread = 5_000;
        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, t =>
        {
            for (var i = 0; i < PerThread; i++)
                metrics.Observe(SampleUsage.Record(At, model: "m" + (i % 3), promptTokens: 1, completionTokens: 2, latencyMs: 250));
        });

        var lines = Lines(metrics.Render([], EmptyQueue));

        var requests = lines.Where(l => l.StartsWith("odg_requests_total{")).Sum(l => long.Parse(l.Split(' ')[1]));
        Assert.Equal(Threads * PerThread, requests);
        Assert.Contains($"odg_tokens_total{{kind=\"prompt\"}} {Threads * PerThread}", lines);
        Assert.Contains($"odg_request_duration_seconds_count {Threads * PerThread}", lines);
        Assert.Contains($"odg_request_duration_seconds_sum {Threads * PerThread * 0.25}", lines);
    }

    [Fact]
    public void Render_EveryLine_IsValidExpositionFormat()
    {
        var metrics = new GatewayMetrics();
        metrics.Observe(SampleUsage.Record(At, model: "a\"b", firstTokenMs: 120));

        foreach (var line in Lines(metrics.Render([], new QueueStatus(1, 2))))
            Assert.Matches(ExpositionLine(), line);
    }

    // A comment (HELP/TYPE) or: name{label="escaped value",...} number
    [GeneratedRegex("""^(# (HELP|TYPE) [a-z_:][a-z0-9_:]* .+|[a-z_:][a-z0-9_:]*(\{[a-z_][a-z0-9_]*="([^"\\\n]|\\["\\n])*"(,[a-z_][a-z0-9_]*="([^"\\\n]|\\["\\n])*")*\})? (-?[0-9.eE+-]+|\+Inf|NaN))$""")]
    private static partial Regex ExpositionLine();
}
