using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using OnDemandGateway.Usage;
using OnDemandGateway.Usage.Storage;
using OnDemandGateway.UsageWriteBench;

// Measures what recording usage costs the gateway's process: records written through the real store
// (raw rows + hourly/daily rollups, one transaction per batch) and the process CPU time spent per record.
// Usage: dotnet run -c Release --project bench/UsageWriteBench -- [--records N] [--batch N] [--warmup N]
//        [--postgres "<npgsql connection string>"] [--no-sqlite] [--reads]
// --reads then times /api/requests queries (filters, counts, a deep page) on the table just written.
// ODG_BENCH_POSTGRES may stand in for --postgres. PostgreSQL runs in a fresh database that is dropped afterwards;
// its own CPU (the server process) is not counted: only the gateway side is.

var records = 200_000;
var batchSize = UsageWriter.MaxBatchSize;
var warmup = 20_000;
var postgres = Environment.GetEnvironmentVariable("ODG_BENCH_POSTGRES");
var sqlite = true;
var reads = false;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--records": records = int.Parse(args[++i]); break;
        case "--batch": batchSize = int.Parse(args[++i]); break;
        case "--warmup": warmup = int.Parse(args[++i]); break;
        case "--postgres": postgres = args[++i]; break;
        case "--no-sqlite": sqlite = false; break;
        case "--reads": reads = true; break;
        default:
            Console.Error.WriteLine("usage: UsageWriteBench [--records N] [--batch N] [--warmup N] [--postgres CONNSTR] [--no-sqlite] [--reads]");
            return 2;
    }
}

Console.WriteLine($"| engine | records | batch | wall s | records/s | CPU µs/record | alloc B/record |");
Console.WriteLine($"|---|---:|---:|---:|---:|---:|---:|");
if (sqlite)
{
    var dir = Directory.CreateTempSubdirectory("odg-usagebench-");
    try
    {
        using var store = new SqliteUsageStore(Path.Combine(dir.FullName, "gateway.db"), TimeProvider.System, NullLogger<SqliteUsageStore>.Instance);
        await RunAsync(store, "sqlite");
    }
    finally { dir.Delete(recursive: true); }
}
if (!string.IsNullOrEmpty(postgres))
{
    var database = "odg_usagebench_" + Guid.NewGuid().ToString("N")[..12];
    await AdminAsync(postgres, $"CREATE DATABASE {database}");
    try
    {
        var url = new NpgsqlConnectionStringBuilder(postgres) { Database = database }.ConnectionString;
        await using var store = new PostgresUsageStore(url, TimeProvider.System, NullLogger<PostgresUsageStore>.Instance);
        await RunAsync(store, "postgres");
    }
    finally
    {
        NpgsqlConnection.ClearAllPools();
        await AdminAsync(postgres, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
    }
}
return 0;

async Task RunAsync(SqlUsageStore store, string name)
{
    await store.MigrateAsync(CancellationToken.None);
    // Generated up front: building records is the relay's cost, not the store's.
    var traffic = Traffic.Generate(warmup + records, seed: 42);
    await WriteAllAsync(store, traffic, 0, warmup); // JIT, connection pool, page cache

    GC.Collect();
    var process = Process.GetCurrentProcess();
    process.Refresh();
    var cpu0 = process.TotalProcessorTime;
    var alloc0 = GC.GetTotalAllocatedBytes(precise: true);
    var clock = Stopwatch.StartNew();
    await WriteAllAsync(store, traffic, warmup, records);
    clock.Stop();
    process.Refresh();
    var cpu = process.TotalProcessorTime - cpu0;
    var alloc = GC.GetTotalAllocatedBytes(precise: true) - alloc0;

    // The figures only count if everything arrived: every record once, in the raw table and the rollups.
    var stats = await store.GetStatsAsync(new StatsQuery(), CancellationToken.None);
    var page = await store.GetRequestsAsync(new RequestQuery(PageSize: 1), CancellationToken.None);
    if (stats.TotalRequests != warmup + records || page.Total != warmup + records)
        throw new InvalidOperationException($"{name}: expected {warmup + records} records, stats say {stats.TotalRequests}, raw rows {page.Total}");

    Console.WriteLine($"| {name} | {records:N0} | {batchSize} | {clock.Elapsed.TotalSeconds:F2} | {records / clock.Elapsed.TotalSeconds:N0} " +
        $"| {cpu.TotalMicroseconds / records:F1} | {alloc / records:N0} |");
    if (reads) await ReadsAsync(store, name);
}

// What the dashboard's request list costs on a table this size: each query is run twice, the second timed.
async Task ReadsAsync(SqlUsageStore store, string name)
{
    RequestQuery[] queries =
    [
        new(), new(Page: 200), new(Model: "gpt-4o"), new(Key: "ci-bot"), new(Outcome: "RateLimited"),
        new(Outcome: "failure"), new(Model: "gemini-1.5-pro", Key: "team-a", Outcome: "NoCredential"),
    ];
    foreach (var query in queries)
    {
        await store.GetRequestsAsync(query, CancellationToken.None);
        var clock = Stopwatch.StartNew();
        var page = await store.GetRequestsAsync(query, CancellationToken.None);
        Console.WriteLine($"  {name} /api/requests page={query.Page} model={query.Model} key={query.Key} outcome={query.Outcome}: " +
            $"{clock.Elapsed.TotalMilliseconds:F1} ms (total {page.Total:N0}, {page.Items.Count} items)");
    }
}

async Task WriteAllAsync(SqlUsageStore store, UsageRecord[] traffic, int start, int count)
{
    var batch = new List<UsageRecord>(batchSize);
    for (var i = start; i < start + count; i += batchSize)
    {
        batch.Clear();
        for (var j = i; j < Math.Min(i + batchSize, start + count); j++) batch.Add(traffic[j]);
        await store.WriteAsync(batch, CancellationToken.None);
    }
}

static async Task AdminAsync(string connectionString, string sql)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand(sql, connection);
    await command.ExecuteNonQueryAsync();
}
