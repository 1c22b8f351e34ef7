using OnDemandGateway.Usage;
using static OnDemandGateway.Tests.Usage.UsageRecords;
using OnDemandGateway.Tests.TestSupport;

namespace OnDemandGateway.Tests.Usage;

/// <summary>Store semantics, run on both engines by the concrete subclasses.</summary>
public abstract class UsageStoreTests : UsageDatabaseTestBase
{
    private static readonly CancellationToken None = CancellationToken.None;

    private protected UsageStoreTests(TestDatabases databases) : base(databases) { }

    [Fact]
    public async Task WriteAsync_MixedRecords_StatsTotalsMatchToTheToken()
    {
        var (store, _) = await NewStoreAsync();
        await store.WriteAsync([Make(prompt: 100, completion: 20, cost: 0.0012m, latencyMs: 300, ttftMs: 100),
                                Make(prompt: 200, completion: 30, cost: 0.0000015m, latencyMs: 500, ttftMs: null)], None);
        await store.WriteAsync([Make(prompt: 300, completion: 40, cost: 0.25m, latencyMs: 700, ttftMs: 200),
                                Make(model: "claude-4-sonnet", outcome: UsageOutcome.UpstreamFault, prompt: 50, completion: 0, cost: 0m, latencyMs: 100, ttftMs: null)], None);

        var stats = await store.GetStatsAsync(new StatsQuery(), None);

        Assert.Equal(4, stats.TotalRequests);
        Assert.Equal(3, stats.SuccessfulRequests);
        Assert.Equal(1, stats.FailedRequests);
        Assert.Equal(650, stats.PromptTokens);
        Assert.Equal(90, stats.CompletionTokens);
        Assert.Equal(740, stats.TotalTokens);
        Assert.Equal(0.2512015m, stats.EstimatedCostUsd);
        Assert.Equal(400, stats.AverageLatencyMs, 6);
        Assert.Equal(150, stats.AverageTimeToFirstTokenMs, 6);
    }

    [Fact]
    public async Task GetStatsAsync_SeveralModelsKeysAndCredentials_BreaksDownEach()
    {
        var (store, _) = await NewStoreAsync();
        await store.WriteAsync([
            Make(model: "gpt-4o", key: "alice", credential: "k1…aaaa", prompt: 10, completion: 1, cost: 0.01m),
            Make(model: "gpt-4o", key: "bob", credential: "k2…bbbb", prompt: 20, completion: 2, cost: 0.02m),
            Make(model: "o3-mini", key: "alice", credential: "k1…aaaa", prompt: 40, completion: 4, cost: 0.04m, outcome: UsageOutcome.RateLimited),
            Make(model: "o3-mini", key: "bob", credential: null, prompt: 0, completion: 0, cost: 0m, outcome: UsageOutcome.NoCredential),
        ], None);

        var stats = await store.GetStatsAsync(new StatsQuery(), None);

        Assert.Equal(new UsageBreakdown(2, 2, 30, 3, 0.03m), stats.ByModel["gpt-4o"]);
        Assert.Equal(new UsageBreakdown(2, 0, 40, 4, 0.04m), stats.ByModel["o3-mini"]);
        Assert.Equal(new UsageBreakdown(2, 1, 50, 5, 0.05m), stats.ByKey["alice"]);
        Assert.Equal(new UsageBreakdown(2, 1, 20, 2, 0.02m), stats.ByKey["bob"]);
        Assert.Equal(new UsageBreakdown(2, 1, 50, 5, 0.05m), stats.ByAccount["k1…aaaa"]);
        Assert.Equal(new UsageBreakdown(1, 1, 20, 2, 0.02m), stats.ByAccount["k2…bbbb"]);
        Assert.Equal(2, stats.ByAccount.Count); // the request that had no credential is in no account
    }

    [Fact]
    public async Task GetStatsAsync_RecordsAcrossDaysAndHours_SeriesSplitByModel()
    {
        var day1 = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        var (store, _) = await NewStoreAsync(new ManualTimeProvider(day1.AddDays(2)));
        await store.WriteAsync([
            Make(at: day1.AddHours(10).AddMinutes(15), model: "a", prompt: 1, completion: 1),
            Make(at: day1.AddHours(10).AddMinutes(45), model: "a", prompt: 2, completion: 2),
            Make(at: day1.AddHours(11).AddMinutes(5), model: "b", prompt: 4, completion: 4),
            Make(at: day1.AddDays(1).AddHours(9), model: "a", prompt: 8, completion: 8),
        ], None);

        var stats = await store.GetStatsAsync(new StatsQuery(), None);

        Assert.Equal([(day1, "a", 2L, 3L), (day1, "b", 1L, 4L), (day1.AddDays(1), "a", 1L, 8L)],
            stats.Daily.Select(b => (b.Start, b.Model, b.Requests, b.PromptTokens)));
        // No "from": the hourly series covers the last 7 days of the store's clock.
        Assert.Equal([(day1.AddHours(10), "a", 2L, 3L), (day1.AddHours(11), "b", 1L, 4L), (day1.AddDays(1).AddHours(9), "a", 1L, 8L)],
            stats.Hourly.Select(b => (b.Start, b.Model, b.Requests, b.PromptTokens)));
    }

    [Fact]
    public async Task GetStatsAsync_FromTo_CountsOnlyHourBucketsInWindow()
    {
        var (store, _) = await NewStoreAsync();
        await store.WriteAsync([
            Make(at: Noon.AddHours(-2).AddMinutes(30), prompt: 1),
            Make(at: Noon.AddHours(-1).AddMinutes(30), prompt: 10),
            Make(at: Noon.AddMinutes(30), prompt: 100),
        ], None);

        // From 11:10 to 12:00 → only the bucket starting at 11:00 (hourly granularity: from is floored to the hour).
        var stats = await store.GetStatsAsync(new StatsQuery(Noon.AddMinutes(-50), Noon), None);

        Assert.Equal(1, stats.TotalRequests);
        Assert.Equal(10, stats.PromptTokens);
        Assert.Equal(10, stats.ByModel["gpt-4o"].PromptTokens);
        Assert.Equal([Noon.AddHours(-1)], stats.Hourly.Select(h => h.Start));
        Assert.Equal(111, (await store.GetStatsAsync(new StatsQuery(From: Noon.AddHours(-3)), None)).PromptTokens);
    }

    [Fact]
    public async Task GetStatsAsync_KnownLatencies_P95EstimatedFromHistogram()
    {
        var (store, _) = await NewStoreAsync();
        // 10, 20, ..., 1000 ms: the true 95th percentile is 950 ms.
        await store.WriteAsync(Enumerable.Range(1, 100).Select(i => Make(latencyMs: i * 10, at: Noon.AddMinutes(i % 3 * 70))).ToList(), None);

        var stats = await store.GetStatsAsync(new StatsQuery(), None);

        Assert.InRange(stats.P95LatencyMs, 900, 1000);
        Assert.Equal(505, stats.AverageLatencyMs, 6);
    }

    [Fact]
    public async Task GetRequestsAsync_FiltersAndPages_NewestFirst()
    {
        var (store, _) = await NewStoreAsync();
        var records = Enumerable.Range(0, 25).Select(i => Make(
            at: Noon.AddSeconds(i), id: $"r{i:00}", model: i % 2 == 0 ? "gpt-4o" : "o3-mini", key: i % 5 == 0 ? "bob" : "alice",
            outcome: i % 3 == 0 ? UsageOutcome.RateLimited : UsageOutcome.Success)).ToList();
        await store.WriteAsync(records, None);

        var page1 = await store.GetRequestsAsync(new RequestQuery(Page: 1, PageSize: 10), None);
        var page3 = await store.GetRequestsAsync(new RequestQuery(Page: 3, PageSize: 10), None);
        Assert.Equal(25, page1.Total);
        Assert.Equal(Enumerable.Range(15, 10).Reverse().Select(i => $"r{i:00}"), page1.Items.Select(r => r.RequestId));
        Assert.Equal(records[24], page1.Items[0]); // every field round-trips
        Assert.Equal(["r04", "r03", "r02", "r01", "r00"], page3.Items.Select(r => r.RequestId));

        Assert.Equal(13, (await store.GetRequestsAsync(new RequestQuery(Model: "gpt-4o"), None)).Total);
        Assert.Equal(5, (await store.GetRequestsAsync(new RequestQuery(Key: "bob"), None)).Total);
        Assert.Equal(9, (await store.GetRequestsAsync(new RequestQuery(Outcome: "rate_limited"), None)).Total);
        Assert.Equal(9, (await store.GetRequestsAsync(new RequestQuery(Outcome: "failure"), None)).Total);
        Assert.Equal(16, (await store.GetRequestsAsync(new RequestQuery(Outcome: "success"), None)).Total);
        var combined = await store.GetRequestsAsync(new RequestQuery(Model: "gpt-4o", Key: "bob", Outcome: "RateLimited"), None);
        Assert.Equal(["r00"], combined.Items.Select(r => r.RequestId)); // i = 0 only (i % 2, % 5 and % 3 all 0 below 25 → 0)
        Assert.Equal(0, (await store.GetRequestsAsync(new RequestQuery(Outcome: "no-such-outcome"), None)).Total);
    }

    [Fact]
    public async Task PruneAsync_OldRecords_DeletedButRollupsKept()
    {
        var (store, _) = await NewStoreAsync();
        await store.WriteAsync([Make(at: Noon.AddDays(-100), id: "old", prompt: 7), Make(at: Noon, id: "new", prompt: 5)], None);

        await store.PruneAsync(Noon.AddDays(-90), None);

        var page = await store.GetRequestsAsync(new RequestQuery(), None);
        Assert.Equal(["new"], page.Items.Select(r => r.RequestId));
        var stats = await store.GetStatsAsync(new StatsQuery(), None);
        Assert.Equal(2, stats.TotalRequests);
        Assert.Equal(12, stats.PromptTokens);
    }

    [Fact]
    public async Task WriteAsync_SameBatchTwice_CountedOnce()
    {
        var (store, _) = await NewStoreAsync();
        var batch = new[] { Make(id: "a"), Make(id: "b") };
        await store.WriteAsync(batch, None);
        await store.WriteAsync(batch, None); // e.g. retried after the commit's acknowledgement was lost

        Assert.Equal(2, (await store.GetStatsAsync(new StatsQuery(), None)).TotalRequests);
        Assert.Equal(2, (await store.GetRequestsAsync(new RequestQuery(), None)).Total);
    }

    [Fact]
    public async Task MigrateAsync_RunAgainOnExistingData_KeepsData()
    {
        var (store, url) = await NewStoreAsync();
        await store.WriteAsync([Make()], None);

        await store.MigrateAsync(None);
        var restarted = OpenStore(url);
        await restarted.MigrateAsync(None);

        Assert.Equal(1, (await restarted.GetStatsAsync(new StatsQuery(), None)).TotalRequests);
    }

    [Fact]
    public async Task MigrateAsync_SeveralInstancesAtOnce_AllSucceedAndShareOneSchema()
    {
        var url = await Databases.NewUrlAsync();
        var stores = Enumerable.Range(0, 4).Select(_ => OpenStore(url)).ToList();

        await Task.WhenAll(stores.Select(s => Task.Run(() => s.MigrateAsync(None))));
        await Task.WhenAll(stores.Select((s, i) => s.WriteAsync([Make(id: $"i{i}", prompt: 1)], None)));

        var stats = await stores[0].GetStatsAsync(new StatsQuery(), None);
        Assert.Equal(4, stats.TotalRequests);
        Assert.Equal(new UsageBreakdown(4, 4, 4, 80, 0.004m), stats.ByModel["gpt-4o"]);
    }

    [Fact]
    public async Task WriteAsync_ConcurrentWritersOnSameRollupRow_NoIncrementLost()
    {
        var (first, url) = await NewStoreAsync();
        var second = OpenStore(url);

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() =>
            (i % 2 == 0 ? first : second).WriteAsync(Enumerable.Range(0, 25).Select(j => Make(id: $"w{i}-{j}", prompt: 3)).ToList(), None))));

        var stats = await first.GetStatsAsync(new StatsQuery(), None);
        Assert.Equal(500, stats.TotalRequests);
        Assert.Equal(1500, stats.PromptTokens);
    }
}
