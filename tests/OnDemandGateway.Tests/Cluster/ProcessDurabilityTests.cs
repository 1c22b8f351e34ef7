using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Npgsql;
using OnDemandGateway.FakeUpstream;
using OnDemandGateway.Tests.TestSupport;

namespace OnDemandGateway.Tests.Cluster;

/// <summary>A real gateway process under load, stopped the two ways production stops it. SIGTERM: every request
/// the client got an answer to is in the database. kill -9: only what was answered in the last moments may be
/// missing, newest first (the writer stores continuously and in order, it does not wait for a timer).</summary>
public sealed class ProcessDurabilityTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private const string Token = "durability-token-0001";

    [Fact]
    public async Task Sigterm_UnderLoad_EveryAnsweredRequestIsStored()
    {
        var (answered, stoppedAt, database) = await RunUntilStoppedAsync(async gateway =>
        {
            var exit = await gateway.StopAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(0, exit);
        });

        var stored = await StoredIdsAsync(database);
        var lost = answered.Keys.Where(id => !stored.Contains(id)).ToList();
        Assert.True(answered.Count >= 50, $"only {answered.Count} requests answered before the stop");
        Assert.Empty(lost);
    }

    [Fact]
    public async Task Kill9_UnderLoad_OnlyTheLastAnsweredRecordsAreMissing()
    {
        var (answered, killedAt, database) = await RunUntilStoppedAsync(gateway => gateway.KillAsync());

        var stored = await StoredIdsAsync(database);
        var lost = answered.Where(a => !stored.Contains(a.Key)).ToList();
        Assert.True(answered.Count >= 50, $"only {answered.Count} requests answered before the kill");
        // Idle, a record is stored within about 200 ms of its answer (coalesce window plus one batch); the bound
        // leaves room for a loaded machine and still fails if the writer waited on a timer or a shutdown.
        Assert.All(lost, a => Assert.True(killedAt - a.Value < TimeSpan.FromSeconds(3),
            $"{a.Key} was answered {(killedAt - a.Value).TotalMilliseconds:F0} ms before the kill and is not stored ({lost.Count} missing of {answered.Count})"));

        // One worker's requests are sequential and each is queued before its answer completes, and the writer
        // stores the queue in order: what is missing of a worker is the end of its answered sequence.
        foreach (var worker in answered.Keys.Select(Sequence).GroupBy(s => s.Worker))
        {
            var numbers = worker.Select(s => s.Number).Order().ToList();
            var firstLost = numbers.FirstOrDefault(n => !stored.Contains($"dur-{worker.Key}-{n}"), int.MaxValue);
            Assert.All(numbers.Where(n => n > firstLost), n => Assert.DoesNotContain($"dur-{worker.Key}-{n}", stored));
        }
    }

    private static (int Worker, int Number) Sequence(string id)
    {
        var parts = id.Split('-');
        return (int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Four clients send requests with their own request ids until the gateway stops answering; the
    /// stop runs once 100 have been answered. Returns each answered id with the time its answer was complete.</summary>
    private async Task<(ConcurrentDictionary<string, TimeSpan> Answered, TimeSpan StoppedAt, string Database)> RunUntilStoppedAsync(Func<GatewayProcess, Task> stop)
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var upstream = await FakeOnDemandServer.StartAsync(new FakeOnDemandOptions { Quiet = true, RecordCalls = false });
        upstream.AddApiKey("upstream-key-alpha-0001");
        await using var gateway = await GatewayProcess.StartAsync(new Dictionary<string, string>
        {
            ["DATABASE_URL"] = database,
            ["API_ACCESS_TOKEN"] = Token,
            ["ONDEMAND_API_KEYS"] = "upstream-key-alpha-0001",
            ["ONDEMAND_API_BASE"] = upstream.BaseUrl.ToString(),
            ["ONDEMAND_AUTH_BASE"] = upstream.BaseUrl.ToString(),
            ["RATE_LIMIT"] = "0",
            ["LOG_LEVEL"] = "WARNING",
        });

        var clock = Stopwatch.StartNew();
        var answered = new ConcurrentDictionary<string, TimeSpan>();
        var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var workers = Enumerable.Range(0, 4).Select(worker => Task.Run(async () =>
        {
            for (var n = 0; n < 5_000; n++)
            {
                var id = $"dur-{worker}-{n}";
                try
                {
                    using var response = await gateway.ChatAsync(Token, requestId: id);
                    if (response.StatusCode != HttpStatusCode.OK) return;
                    await response.Content.ReadAsStringAsync();
                    answered[id] = clock.Elapsed;
                    if (answered.Count >= 100) enough.TrySetResult();
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
                {
                    return; // the gateway is gone
                }
            }
        })).ToArray();

        await enough.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var stoppedAt = clock.Elapsed;
        await stop(gateway);
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(60));
        return (answered, stoppedAt, database);
    }

    private static async Task<HashSet<string>> StoredIdsAsync(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT request_id FROM usage_records", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        // A caller's X-Request-Id is stored with a gateway-made suffix (callers may repeat ids): "<id>/<suffix>".
        while (await reader.ReadAsync()) ids.Add(reader.GetString(0).Split('/')[0]);
        return ids;
    }
}
