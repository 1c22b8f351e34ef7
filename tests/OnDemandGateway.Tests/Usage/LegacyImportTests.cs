using Microsoft.Extensions.Logging.Abstractions;
using OnDemandGateway.Usage;
using OnDemandGateway.Usage.Legacy;
using static OnDemandGateway.Tests.Usage.UsageRecords;
using OnDemandGateway.Tests.TestSupport;

namespace OnDemandGateway.Tests.Usage;

/// <summary>Import of the Flask proxy's stats_data.json (Fixtures/stats_data.json) on each engine.</summary>
public abstract class LegacyImportTests : UsageDatabaseTestBase
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly DateTimeOffset Oct30 = new(2026, 10, 30, 0, 0, 0, TimeSpan.Zero);

    private protected LegacyImportTests(TestDatabases databases) : base(databases) { }

    private LegacyStatsImporter Importer(IUsageStore store, string url)
    {
        var file = Path.Combine(Scratch, "stats_data.json");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Usage", "Fixtures", "stats_data.json"), file, overwrite: true);
        return new LegacyStatsImporter(Options(url) with { StatsFilePath = file }, store, new ManualTimeProvider(Noon), NullLogger<LegacyStatsImporter>.Instance);
    }

    [Fact]
    public async Task ImportIfEmptyAsync_EmptyDatabase_ImportsHistoryExactlyOnce()
    {
        var (store, url) = await NewStoreAsync();
        var importer = Importer(store, url);

        Assert.True(await importer.ImportIfEmptyAsync(None));
        Assert.False(await importer.ImportIfEmptyAsync(None));
        Assert.False(await Importer(OpenStore(url), url).ImportIfEmptyAsync(None)); // a restart imports nothing either

        var stats = await store.GetStatsAsync(new StatsQuery(), None);
        Assert.Equal(120, stats.TotalRequests);
        Assert.Equal(110, stats.SuccessfulRequests);
        Assert.Equal(10, stats.FailedRequests);
        Assert.Equal(50_000, stats.PromptTokens);
        Assert.Equal(12_000, stats.CompletionTokens);
        Assert.Equal(1.25m, stats.EstimatedCostUsd);
        Assert.Equal(new UsageBreakdown(80, 80, 30_000, 8_000, 0.95m), stats.ByModel["gpt-4o"]);
        Assert.Equal(new UsageBreakdown(30, 30, 15_000, 3_000, 0.25m), stats.ByModel["claude-3.7-sonnet"]);
        Assert.Equal(new UsageBreakdown(10, 0, 5_000, 1_000, 0.05m), stats.ByModel[LegacyRollups.UnattributedModel]);
        Assert.Equal(120, stats.ByKey[LegacyRollups.ClientKey].Requests);
        Assert.Equal(new UsageBreakdown(70, 70, 29_000, 7_000, 0.7m), stats.ByAccount["al***@example.com"]);
        Assert.Equal(50, stats.ByAccount["bo***@example.com"].Requests);
        Assert.Equal([(Oct30, 50L, 25_000L), (Oct30.AddDays(1), 70L, 37_000L)],
            stats.Daily.Select(d => (d.Start, d.Requests, d.PromptTokens + d.CompletionTokens)));

        var hourly = await store.GetStatsAsync(new StatsQuery(From: Oct30), None);
        Assert.Equal([(Oct30.AddDays(1).AddHours(13), 40L), (Oct30.AddDays(1).AddHours(14), 30L)],
            hourly.Hourly.Select(h => (h.Start, h.Requests)));
    }

    [Fact]
    public async Task ImportIfEmptyAsync_DatabaseAlreadyHasUsage_ImportsNothing()
    {
        var (store, url) = await NewStoreAsync();
        await store.WriteAsync([Make(prompt: 3)], None);

        Assert.False(await Importer(store, url).ImportIfEmptyAsync(None));

        var stats = await store.GetStatsAsync(new StatsQuery(), None);
        Assert.Equal(1, stats.TotalRequests);
        Assert.False(stats.ByKey.ContainsKey(LegacyRollups.ClientKey));
    }

    [Fact]
    public async Task ImportIfEmptyAsync_ThenLiveTraffic_BothCountedOnce()
    {
        var (store, url) = await NewStoreAsync();
        await Importer(store, url).ImportIfEmptyAsync(None);
        await store.WriteAsync([Make(model: "gpt-4o", prompt: 100, completion: 1, cost: 0.05m, credential: "al***@example.com")], None);

        var stats = await store.GetStatsAsync(new StatsQuery(), None);
        Assert.Equal(121, stats.TotalRequests);
        Assert.Equal(81, stats.ByModel["gpt-4o"].Requests);
        Assert.Equal(71, stats.ByAccount["al***@example.com"].Requests);
        Assert.Equal(1.30m, stats.EstimatedCostUsd);
    }
}
