using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using OnDemandGateway.Configuration;
using OnDemandGateway.Usage;
using OnDemandGateway.Usage.Storage;
using static OnDemandGateway.Tests.Usage.UsageRecords;
using OnDemandGateway.Tests.TestSupport;

namespace OnDemandGateway.Tests.Usage;

/// <summary>The background writer over a real store of each kind.</summary>
public abstract class UsageWriterTests : UsageDatabaseTestBase
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private protected UsageWriterTests(TestDatabases databases) : base(databases) { }

    private UsageWriter NewWriter(IUsageStore store, string url, TimeProvider? time = null, int capacity = 100_000, params IUsageObserver[] observers)
    {
        var options = Options(url) with { UsageQueueCapacity = capacity, ModelPrices = new Dictionary<string, ModelPrice> { ["gpt-4o"] = new(2.5m, 10m) } };
        return new UsageWriter(store, observers, new CostCalculator(options), options, time ?? TimeProvider.System, NullLogger<UsageWriter>.Instance);
    }

    [Fact]
    public async Task FlushAsync_AfterManyRecords_AllDurableForAnotherInstance()
    {
        var (store, url) = await NewStoreAsync();
        using var writer = NewWriter(store, url);
        await writer.StartAsync(CancellationToken.None);

        for (var i = 0; i < 1_234; i++) writer.Record(Make(prompt: 2, completion: 1));
        await writer.FlushAsync(CancellationToken.None).WaitAsync(Bound);

        Assert.Equal(1_234, writer.Written);
        Assert.Equal(0, writer.Pending);
        var stats = await OpenStore(url).GetStatsAsync(new StatsQuery(), CancellationToken.None);
        Assert.Equal(1_234, stats.TotalRequests);
        Assert.Equal(2_468, stats.PromptTokens);
        await writer.StoppedAsync(CancellationToken.None);
    }

    [Fact]
    public async Task HostStopped_WithRecordsQueuedBehindASlowWrite_AllWritten()
    {
        var url = await Databases.NewUrlAsync();
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton(Options(url));
        builder.AddUsage();
        ControlledStore? controlled = null;
        // Hold the first write until shutdown begins, so the records are provably still queued at SIGTERM.
        builder.Services.AddSingleton<IUsageStore>(sp =>
        {
            controlled = new ControlledStore(UsageStoreFactory.Create(sp.GetRequiredService<GatewayOptions>()));
            var gate = new TaskCompletionSource();
            sp.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() => gate.TrySetResult());
            controlled.Gate = gate.Task;
            return controlled;
        });
        using var host = builder.Build();
        await host.StartAsync();
        var sink = host.Services.GetRequiredService<IUsageSink>();
        var writer = host.Services.GetRequiredService<UsageWriter>();

        for (var i = 0; i < 800; i++) sink.Record(Make(completion: 3));
        await controlled!.WriteEntered.Task.WaitAsync(Bound);
        Assert.Equal(800, writer.Pending);
        await host.StopAsync();

        Assert.Equal(800, writer.Written);
        Assert.Equal(0, writer.Dropped);
        var stats = await OpenStore(url).GetStatsAsync(new StatsQuery(), CancellationToken.None);
        Assert.Equal(800, stats.TotalRequests);
        Assert.Equal(2_400, stats.CompletionTokens);
        ((IDisposable)controlled.Inner).Dispose();
    }

    [Fact]
    public async Task Record_QueueFull_CountsEveryDropAndKeepsTheRest()
    {
        var (store, url) = await NewStoreAsync();
        var gate = new TaskCompletionSource();
        var controlled = new ControlledStore(store) { Gate = gate.Task };
        using var writer = NewWriter(controlled, url, capacity: 10);
        await writer.StartAsync(CancellationToken.None);

        writer.Record(Make(id: "first"));
        await controlled.WriteEntered.Task.WaitAsync(Bound); // the writer holds "first"; the queue is empty again
        for (var i = 0; i < 15; i++) writer.Record(Make(id: $"q{i}"));

        Assert.Equal(5, writer.Dropped);
        Assert.Equal(11, writer.Pending);
        gate.SetResult();
        await writer.FlushAsync(CancellationToken.None).WaitAsync(Bound);
        Assert.Equal(11, writer.Written);
        Assert.Equal(11, (await store.GetStatsAsync(new StatsQuery(), CancellationToken.None)).TotalRequests);
        await writer.StoppedAsync(CancellationToken.None);
    }

    [Fact]
    public async Task WriteAsync_StoreDownThenBack_BufferedRecordsWrittenAfterBackoff()
    {
        var (store, url) = await NewStoreAsync();
        var clock = new ManualTimeProvider(Noon);
        var controlled = new ControlledStore(store) { FailNext = 2 };
        using var writer = NewWriter(controlled, url, clock);
        await writer.StartAsync(CancellationToken.None);

        for (var i = 0; i < 50; i++) writer.Record(Make());
        await controlled.FirstFailure.Task.WaitAsync(Bound);
        await clock.WhenTimerScheduledAsync().WaitAsync(Bound);
        Assert.Contains("database is down", writer.LastError);
        Assert.Equal(0, writer.Written);
        writer.Record(Make()); // the request path is not blocked while the store is down

        clock.Advance(UsageWriter.InitialBackoff);          // second attempt fails too
        await clock.WhenTimerScheduledAsync().WaitAsync(Bound);
        clock.Advance(UsageWriter.InitialBackoff * 2);      // third attempt succeeds
        await writer.FlushAsync(CancellationToken.None).WaitAsync(Bound);

        Assert.Equal(51, writer.Written);
        Assert.Null(writer.LastError);
        Assert.True(controlled.Attempts >= 3);
        Assert.Equal(51, (await store.GetStatsAsync(new StatsQuery(), CancellationToken.None)).TotalRequests);
        await writer.StoppedAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Record_ObserversAndMissingCost_ObserversSeeEachRecordAndCostIsPriced()
    {
        var (store, url) = await NewStoreAsync();
        var seen = new List<UsageRecord>();
        var observer = new ListObserver(seen);
        using var writer = NewWriter(store, url, observers: [new ThrowingObserver(), observer]);
        await writer.StartAsync(CancellationToken.None);

        writer.Record(Make(id: "priced", prompt: 1_000_000, completion: 100_000, cost: 0m));
        await writer.FlushAsync(CancellationToken.None).WaitAsync(Bound);

        Assert.Equal(["priced"], seen.Select(r => r.RequestId));
        Assert.Equal(3.5m, seen[0].CostUsd); // 1M in × $2.5 + 0.1M out × $10
        Assert.Equal(3.5m, (await store.GetStatsAsync(new StatsQuery(), CancellationToken.None)).EstimatedCostUsd);
        await writer.StoppedAsync(CancellationToken.None);
    }

    private sealed class ListObserver(List<UsageRecord> seen) : IUsageObserver
    {
        public void Observe(UsageRecord record) { lock (seen) seen.Add(record); }
    }

    private sealed class ThrowingObserver : IUsageObserver
    {
        public void Observe(UsageRecord record) => throw new InvalidOperationException("broken observer");
    }
}
