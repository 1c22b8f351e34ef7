using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using OnDemandGateway.Tests.TestSupport;
using OnDemandGateway.Usage;

namespace OnDemandGateway.Tests.Metrics;

public sealed class MetricsEndpointsTests
{
    [Fact]
    public async Task GetMetrics_ByDefault_OpenWithPrometheusContentType()
    {
        await using var host = await BrowserGatewayHost.StartAsync();
        host.Flusher.Dropped = 4;
        host.App.Services.GetRequiredService<IEnumerable<IUsageObserver>>().Single()
            .Observe(SampleUsage.Record(DateTimeOffset.UtcNow, model: "gpt-4o"));
        using var client = host.Client();

        using var response = await client.GetAsync("metrics");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Contains("odg_requests_total{model=\"gpt-4o\",outcome=\"success\"} 1\n", body);
        Assert.Contains("odg_usage_queue_dropped_total 4\n", body);
        Assert.DoesNotContain(BrowserGatewayHost.Token, body);
    }

    [Fact]
    public async Task GetMetrics_RequireAuthOption_NeedsToken()
    {
        await using var host = await BrowserGatewayHost.StartAsync(BrowserGatewayHost.DefaultOptions() with { MetricsRequireAuth = true });
        using var anonymous = host.Client();
        using var authorized = host.Client(bearer: BrowserGatewayHost.Token);

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await authorized.GetAsync("metrics")).StatusCode);
    }

    [Fact]
    public async Task GetMetrics_AfterAChatRequest_ShowsProcessRuntimeAndUpstreamConnectionFigures()
    {
        await using var host = await GatewayHost.StartAsync(o => o with { SessionPoolSize = 0 });
        var body = new { model = "gpt-4o", messages = new[] { new { role = "user", content = "hello" } } };
        Assert.Equal(HttpStatusCode.OK, (await host.Http.PostAsJsonAsync("/v1/chat/completions", body)).StatusCode);
        GC.Collect(0);

        var metrics = await host.Http.GetStringAsync("/metrics");

        Assert.True(Value(metrics, "process_resident_memory_bytes") > 10_000_000);
        Assert.True(Value(metrics, "process_cpu_seconds_total") > 0);
        Assert.True(Value(metrics, "dotnet_gc_heap_size_bytes") > 0);
        Assert.True(Value(metrics, "dotnet_gc_collections_total{generation=\"0\"}") >= 1);
        Assert.Contains("dotnet_gc_collections_total{generation=\"2\"} ", metrics);
        Assert.True(Value(metrics, "dotnet_threadpool_threads") >= 1);
        // The session creation and the query went over one keep-alive connection, now back in the pool.
        Assert.Equal(1, Value(metrics, "odg_upstream_connections_idle"));
    }

    private static double Value(string metrics, string series)
    {
        var match = Regex.Match(metrics, "^" + Regex.Escape(series) + " (\\S+)$", RegexOptions.Multiline);
        Assert.True(match.Success, $"no sample {series} in /metrics");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }
}
