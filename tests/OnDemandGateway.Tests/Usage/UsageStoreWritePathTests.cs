using OnDemandGateway.Usage;
using static OnDemandGateway.Tests.Usage.UsageRecords;

namespace OnDemandGateway.Tests.Usage;

/// <summary>The write path's edge cases (kept connection, native binding, idempotency index), on both engines.</summary>
public abstract class UsageStoreWritePathTests : UsageDatabaseTestBase
{
    private static readonly CancellationToken None = CancellationToken.None;

    private protected UsageStoreWritePathTests(TestDatabases databases) : base(databases) { }

    [Fact]
    public async Task WriteAsync_SameIdTwiceInOneBatch_StoredAndCountedOnce()
    {
        var (store, _) = await NewStoreAsync();

        await store.WriteAsync([Make(id: "dup", prompt: 10), Make(id: "dup", prompt: 10), Make(id: "other", prompt: 1)], None);

        Assert.Equal(2, (await store.GetRequestsAsync(new RequestQuery(), None)).Total);
        var stats = await store.GetStatsAsync(new StatsQuery(), None);
        Assert.Equal(2, stats.TotalRequests);
        Assert.Equal(11, stats.PromptTokens);
    }

    [Fact]
    public async Task WriteAsync_EmptyUnicodeAndNulText_ReadBackAsStored()
    {
        var (store, _) = await NewStoreAsync();
        var record = Make(id: "text", model: "модель-✓😀", key: "", credential: null, outcome: UsageOutcome.RateLimited) with
        {
            Error = "bad\0byte",
            TimeToFirstTokenMs = null,
        };

        await store.WriteAsync([record], None);

        var stored = Assert.Single((await store.GetRequestsAsync(new RequestQuery(), None)).Items);
        Assert.Equal("модель-✓😀", stored.Model);
        Assert.Equal("", stored.ClientKey);
        Assert.Null(stored.Credential);
        Assert.Equal("badbyte", stored.Error);
        Assert.Null(stored.TimeToFirstTokenMs);
        Assert.Equal(UsageOutcome.RateLimited, stored.Outcome);
        var stats = await store.GetStatsAsync(new StatsQuery(), None);
        Assert.Equal(1, stats.ByKey[""].Requests);
        Assert.Equal(1, stats.ByModel["модель-✓😀"].Requests);
    }

    [Fact]
    public async Task WriteAsync_FailsBeforeMigration_NextBatchSucceedsOnceMigrated()
    {
        var url = await Databases.NewUrlAsync();
        var store = OpenStore(url);
        var batch = new[] { Make(id: "early-1"), Make(id: "early-2") };

        // No tables yet: the write fails, and the writer must not keep whatever it had prepared.
        await Assert.ThrowsAnyAsync<Exception>(() => store.WriteAsync(batch, None));
        await store.MigrateAsync(None);
        await store.WriteAsync(batch, None);

        Assert.Equal(2, (await store.GetRequestsAsync(new RequestQuery(), None)).Total);
        Assert.Equal(2, (await store.GetStatsAsync(new StatsQuery(), None)).TotalRequests);
    }

    [Fact]
    public async Task WriteAsync_RowViolatesConstraint_NothingOfBatchStoredAndNextBatchWritten()
    {
        var (store, _) = await NewStoreAsync();
        await store.WriteAsync([Make(id: "before")], None);

        // The middle row breaks NOT NULL: the whole batch rolls back, and the writer starts the next batch afresh.
        await Assert.ThrowsAnyAsync<Exception>(() => store.WriteAsync([Make(id: "bad-1"), Make(id: "bad-2") with { Model = null! }], None));
        await store.WriteAsync([Make(id: "after"), Make(id: "bad-1")], None);

        var page = await store.GetRequestsAsync(new RequestQuery(), None);
        // All at one instant, so newest-first falls back to request id order (descending).
        Assert.Equal(["before", "bad-1", "after"], page.Items.Select(r => r.RequestId));
        Assert.Equal(3, (await store.GetStatsAsync(new StatsQuery(), None)).TotalRequests);
    }

    [Fact]
    public async Task MigrateAsync_FromFirstSchemaWithData_KeepsRecordsAndRetriedBatchStillCountedOnce()
    {
        var url = await Databases.NewUrlAsync();
        var old = OpenStore(url);
        await old.MigrateToAsync(1, None);
        var batch = Enumerable.Range(0, 5).Select(i => Make(at: Noon.AddSeconds(i), id: $"v1-{i}", prompt: 2)).ToList();
        await old.WriteAsync(batch, None);

        var upgraded = OpenStore(url);
        await upgraded.MigrateAsync(None);
        await upgraded.WriteAsync([.. batch, Make(at: Noon.AddSeconds(9), id: "v3-new", prompt: 2)], None);

        var page = await upgraded.GetRequestsAsync(new RequestQuery(PageSize: 10), None);
        Assert.Equal(6, page.Total);
        Assert.Equal(["v3-new", "v1-4", "v1-3", "v1-2", "v1-1", "v1-0"], page.Items.Select(r => r.RequestId));
        Assert.Equal(12, (await upgraded.GetStatsAsync(new StatsQuery(), None)).PromptTokens);
    }

    [Fact]
    public async Task WriteAsync_SameIdAtAnotherTime_SqliteKeepsBothPostgresKeepsFirst()
    {
        var (store, _) = await NewStoreAsync();

        // A client reusing its X-Request-Id for a second request. SQLite's idempotency key is (time, id):
        // both requests count. PostgreSQL keeps the id alone unique (schema step 3 is SQLite-only).
        await store.WriteAsync([Make(at: Noon, id: "client-chosen")], None);
        await store.WriteAsync([Make(at: Noon.AddSeconds(5), id: "client-chosen")], None);

        var expected = Databases.Kind == "sqlite" ? 2 : 1;
        Assert.Equal(expected, (await store.GetRequestsAsync(new RequestQuery(), None)).Total);
        Assert.Equal(expected, (await store.GetStatsAsync(new StatsQuery(), None)).TotalRequests);
    }

    [Fact]
    public async Task GetRequestsAsync_SameMillisecond_PagesCoverEveryRecordOnce()
    {
        var (store, _) = await NewStoreAsync();
        await store.WriteAsync(Enumerable.Range(0, 7).Select(i => Make(at: Noon, id: $"tie-{i}")).ToList(), None);

        var seen = new List<string>();
        for (var p = 1; p <= 4; p++)
            seen.AddRange((await store.GetRequestsAsync(new RequestQuery(Page: p, PageSize: 2), None)).Items.Select(r => r.RequestId));

        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"tie-{i}").Reverse(), seen);
    }

    [Fact]
    public async Task WriteAsync_ManyBatchesThroughOneStore_EveryRecordInRawRowsAndRollups()
    {
        var (store, _) = await NewStoreAsync();
        var models = new[] { "gpt-4o", "o3-mini", "claude-4-sonnet" };
        var records = Enumerable.Range(0, 1_200).Select(i => Make(at: Noon.AddSeconds(i * 7), id: $"m{i:0000}",
            model: models[i % 3], key: i % 4 == 0 ? "bob" : "alice", credential: i % 5 == 0 ? null : "ab***@x.io",
            outcome: i % 10 == 0 ? UsageOutcome.UpstreamFault : UsageOutcome.Success, prompt: 3, completion: 1)).ToList();

        foreach (var chunk in records.Chunk(UsageWriter.MaxBatchSize)) await store.WriteAsync(chunk, None);

        var stats = await store.GetStatsAsync(new StatsQuery(), None);
        Assert.Equal(1_200, stats.TotalRequests);
        Assert.Equal(1_080, stats.SuccessfulRequests);
        Assert.Equal(3_600, stats.PromptTokens);
        Assert.Equal(400, stats.ByModel["o3-mini"].Requests);
        Assert.Equal(300, stats.ByKey["bob"].Requests);
        Assert.Equal(960, stats.ByAccount["ab***@x.io"].Requests);
        Assert.Equal(1_200, stats.Daily.Sum(b => b.Requests));
        var window = await store.GetStatsAsync(new StatsQuery(Noon.AddHours(-1), Noon.AddHours(4)), None);
        Assert.Equal(1_200, window.Hourly.Sum(b => b.Requests)); // 1,200 × 7 s spans three hours
        Assert.Equal(3, window.Hourly.Select(b => b.Start).Distinct().Count());
        Assert.Equal(1_200, (await store.GetRequestsAsync(new RequestQuery(), None)).Total);
    }
}
