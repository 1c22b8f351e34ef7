using System.Net;
using System.Text.Json;
using OnDemandGateway.Tests.TestSupport;
using OnDemandGateway.Usage;
using OnDemandGateway.Usage.Api;

namespace OnDemandGateway.Tests.Usage.Api;

public sealed class UsageApiTests
{
    private static readonly DateTimeOffset Day1 = new(2026, 3, 1, 10, 15, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Day2 = new(2026, 3, 2, 23, 50, 0, TimeSpan.Zero);

    private static async Task<JsonElement> Json(HttpResponseMessage response)
    {
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.Clone();
    }

    [Fact]
    public async Task GetStats_WithToken_ReturnsSnakeCaseTotalsBreakdownsAndQueue()
    {
        await using var host = await BrowserGatewayHost.StartAsync();
        await host.SeedAsync(
            SampleUsage.Record(Day1, model: "gpt-4o", promptTokens: 100, completionTokens: 40, latencyMs: 500, firstTokenMs: 200, costUsd: 0.002m),
            SampleUsage.Record(Day1.AddMinutes(5), model: "gpt-4o", outcome: UsageOutcome.RateLimited, promptTokens: 0, completionTokens: 0, latencyMs: 100, costUsd: 0m),
            SampleUsage.Record(Day2, model: "claude-4-sonnet", key: "ops", credential: null, promptTokens: 300, completionTokens: 60, latencyMs: 1500, firstTokenMs: 400, costUsd: 0.01m));
        host.Flusher.Pending = 12;
        host.Flusher.Dropped = 3;
        using var client = host.Client(bearer: BrowserGatewayHost.Token);

        using var response = await client.GetAsync("api/stats");
        var json = await Json(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, json.GetProperty("total_requests").GetInt64());
        Assert.Equal(2, json.GetProperty("successful_requests").GetInt64());
        Assert.Equal(1, json.GetProperty("failed_requests").GetInt64());
        Assert.Equal(400, json.GetProperty("prompt_tokens").GetInt64());
        Assert.Equal(100, json.GetProperty("completion_tokens").GetInt64());
        Assert.Equal(500, json.GetProperty("total_tokens").GetInt64());
        Assert.Equal(0.012m, json.GetProperty("estimated_cost_usd").GetDecimal());
        Assert.Equal(700, json.GetProperty("average_latency_ms").GetDouble(), 6);
        // The real store estimates p95 from a latency histogram in the rollups: within the bucket holding 1500 ms.
        Assert.InRange(json.GetProperty("p95_latency_ms").GetDouble(), 1000, 1500);
        Assert.Equal(300, json.GetProperty("average_time_to_first_token_ms").GetDouble());
        var gpt = json.GetProperty("by_model").GetProperty("gpt-4o");
        Assert.Equal(2, gpt.GetProperty("requests").GetInt64());
        Assert.Equal(1, gpt.GetProperty("successful_requests").GetInt64());
        Assert.Equal(0.002m, gpt.GetProperty("cost_usd").GetDecimal());
        Assert.Equal(1, json.GetProperty("by_key").GetProperty("ops").GetProperty("requests").GetInt64());
        Assert.Equal(2, json.GetProperty("by_account").GetProperty("sk-a…1111").GetProperty("requests").GetInt64());
        var daily = json.GetProperty("daily").EnumerateArray().ToArray();
        Assert.Equal(2, daily.Length);
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero), daily[0].GetProperty("start").GetDateTimeOffset());
        Assert.Equal("gpt-4o", daily[0].GetProperty("model").GetString());
        Assert.Equal(140, daily[0].GetProperty("prompt_tokens").GetInt64() + daily[0].GetProperty("completion_tokens").GetInt64());
        Assert.Equal(12, json.GetProperty("queue").GetProperty("pending").GetInt32());
        Assert.Equal(3, json.GetProperty("queue").GetProperty("dropped").GetInt64());

        // Without a range the hourly series covers the last 7 days; these records are older, so ask for their days.
        using var ranged = await client.GetAsync("api/stats?from=2026-03-01&to=2026-03-02");
        Assert.Equal(2, (await Json(ranged)).GetProperty("hourly").GetArrayLength());
    }

    [Fact]
    public async Task GetStats_DateOnlyRange_IncludesWholeDays()
    {
        await using var host = await BrowserGatewayHost.StartAsync();
        await host.SeedAsync(SampleUsage.Record(Day1), SampleUsage.Record(Day2), SampleUsage.Record(Day2.AddMinutes(2)));
        using var client = host.Client(bearer: BrowserGatewayHost.Token);

        var day2Only = await Json(await client.GetAsync("api/stats?from=2026-03-02&to=2026-03-02"));
        var fromIso = await Json(await client.GetAsync("api/stats?from=2026-03-02T00:00:00%2B00:00"));
        var upToDay1 = await Json(await client.GetAsync("api/stats?to=2026-03-01T23:00:00Z"));

        Assert.Equal(2, day2Only.GetProperty("total_requests").GetInt64());
        Assert.Equal(2, fromIso.GetProperty("total_requests").GetInt64());
        Assert.Equal(1, upToDay1.GetProperty("total_requests").GetInt64());
    }

    [Theory]
    [InlineData("api/stats?from=yesterday", "from")]
    [InlineData("api/stats?from=03/01/2026", "from")]
    [InlineData("api/stats?to=2026-13-01", "to")]
    [InlineData("api/stats?from=2026-03-05&to=2026-03-01", "to")]
    [InlineData("api/requests?page=0", "page")]
    [InlineData("api/requests?page=abc", "page")]
    [InlineData("api/requests?page_size=100000", "page_size")]
    [InlineData("api/requests?outcome=exploded", "outcome")]
    public async Task Get_BadParameter_Returns400NamingIt(string url, string parameter)
    {
        await using var host = await BrowserGatewayHost.StartAsync();
        using var client = host.Client(bearer: BrowserGatewayHost.Token);

        using var response = await client.GetAsync(url);
        var json = await Json(response);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("bad_request", json.GetProperty("error").GetString());
        Assert.Equal(parameter, json.GetProperty("param").GetString());
        Assert.Contains(parameter, json.GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("api/stats")]
    [InlineData("api/requests")]
    public async Task Get_WithoutToken_Returns401(string url)
    {
        await using var host = await BrowserGatewayHost.StartAsync();
        using var client = host.Client();
        using var wrong = host.Client(bearer: "not-a-token");

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync(url)).StatusCode);
    }

    [Fact]
    public async Task GetRequests_Paging_ReturnsNewestFirstWithTotal()
    {
        await using var host = await BrowserGatewayHost.StartAsync();
        await host.SeedAsync(Enumerable.Range(0, 7).Select(i => SampleUsage.Record(Day1.AddMinutes(i), promptTokens: i)).ToArray());
        using var client = host.Client(bearer: BrowserGatewayHost.Token);

        var json = await Json(await client.GetAsync("api/requests?page=2&page_size=3"));

        Assert.Equal(2, json.GetProperty("page").GetInt32());
        Assert.Equal(3, json.GetProperty("page_size").GetInt32());
        Assert.Equal(7, json.GetProperty("total").GetInt64());
        var prompt = json.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("prompt_tokens").GetInt32()).ToArray();
        Assert.Equal([3, 2, 1], prompt);
    }

    [Fact]
    public async Task GetRequests_Filters_MatchModelKeyAndSnakeCaseOutcome()
    {
        await using var host = await BrowserGatewayHost.StartAsync();
        await host.SeedAsync(
            SampleUsage.Record(Day1, model: "gpt-4o", key: "test"),
            SampleUsage.Record(Day1, model: "gpt-4o", key: "ops", outcome: UsageOutcome.RateLimited, error: "upstream 429"),
            SampleUsage.Record(Day1, model: "o3", key: "ops", outcome: UsageOutcome.RateLimited));
        using var client = host.Client(bearer: BrowserGatewayHost.Token);

        var json = await Json(await client.GetAsync("api/requests?model=gpt-4o&key=ops&outcome=rate_limited"));

        Assert.Equal(1, json.GetProperty("total").GetInt64());
        var item = json.GetProperty("items")[0];
        Assert.Equal("rate_limited", item.GetProperty("outcome").GetString());
        Assert.Equal("upstream", item.GetProperty("token_source").GetString());
        Assert.Equal("upstream 429", item.GetProperty("error").GetString());
        Assert.Equal("ops", item.GetProperty("client_key").GetString());
        Assert.Equal(429, item.GetProperty("http_status").GetInt32());
    }

    [Theory]
    [InlineData("2026-03-01", false, "2026-03-01T00:00:00+00:00")]
    [InlineData("2026-03-01", true, "2026-03-02T00:00:00+00:00")]
    [InlineData("2026-03-01T10:00:00Z", true, "2026-03-01T10:00:00+00:00")]
    [InlineData("2026-03-01T10:00:00", false, "2026-03-01T10:00:00+00:00")]
    [InlineData("2026-03-01T10:00:00+08:00", false, "2026-03-01T02:00:00+00:00")]
    [InlineData("2026-03-01T10:00:00 08:00", false, "2026-03-01T02:00:00+00:00")]
    public void TryParseInstant_IsoOrDate_ParsesToUtc(string text, bool isEnd, string expected)
    {
        Assert.True(UsageApi.TryParseInstant(text, isEnd, out var value));
        Assert.Equal(DateTimeOffset.Parse(expected), value);
    }
}
