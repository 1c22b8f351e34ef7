using OnDemandGateway.Configuration;
using OnDemandGateway.Usage.Storage;

namespace OnDemandGateway.Tests.Usage;

/// <summary>Base of the storage test families: each runs once on SQLite and once on PostgreSQL, and every
/// test gets its own empty database.</summary>
public abstract class UsageDatabaseTestBase : IAsyncLifetime
{
    private readonly List<IDisposable> _stores = [];
    private readonly string _scratch = Directory.CreateTempSubdirectory("odg-usage-scratch-").FullName;

    private protected UsageDatabaseTestBase(TestDatabases databases) => Databases = databases;

    private protected TestDatabases Databases { get; }

    /// <summary>A folder of this test's own (for a legacy stats file, a DATA_DIR, ...).</summary>
    protected string Scratch => _scratch;

    private protected GatewayOptions Options(string url) => new()
    {
        DatabaseUrl = url,
        DataDir = Path.Combine(_scratch, "data"),
        StatsFilePath = Path.Combine(_scratch, "no_stats_data.json"),
    };

    /// <summary>A migrated store on a fresh database.</summary>
    private protected async Task<(SqlUsageStore Store, string Url)> NewStoreAsync(TimeProvider? time = null)
    {
        var url = await Databases.NewUrlAsync();
        var store = OpenStore(url, time);
        await store.MigrateAsync(CancellationToken.None);
        return (store, url);
    }

    /// <summary>Another store instance on an existing database (as a restarted or second gateway would open it).</summary>
    private protected SqlUsageStore OpenStore(string url, TimeProvider? time = null)
    {
        var store = UsageStoreFactory.Create(Options(url), time);
        lock (_stores) _stores.Add((IDisposable)store);
        return store;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        lock (_stores) foreach (var store in _stores) store.Dispose();
        await Databases.DisposeAsync();
        try { Directory.Delete(_scratch, recursive: true); } catch (IOException) { }
    }
}
