using System.Net;
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
}
