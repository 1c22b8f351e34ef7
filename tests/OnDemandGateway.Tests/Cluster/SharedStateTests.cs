using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using OnDemandGateway.Accounts;
using OnDemandGateway.Auth;
using OnDemandGateway.Cluster;
using OnDemandGateway.Configuration;
using OnDemandGateway.RateLimiting;
using OnDemandGateway.Tests.TestSupport;

namespace OnDemandGateway.Tests.Cluster;

/// <summary>The shared pieces against a real PostgreSQL, several "instances" in one process (each with its own
/// connections and state, as separate processes would have).</summary>
public sealed class SharedStateTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly GatewayOptions Options = new()
    {
        RateLimitPerMinute = 10,
        Credentials = [new(CredentialKind.ApiKey, "upstream-key-alpha-0001", null, null), new(CredentialKind.ApiKey, "upstream-key-bravo-0002", null, null)],
    };

    [Fact]
    public async Task AcquireAsync_ThreeInstancesConcurrently_AdmitExactlyTheLimitPerKey()
    {
        // The manual clock never ends the limiter's budget, but Npgsql's connect timeout (3 s unless the URL says
        // otherwise) is real: 60 acquires opening connections on a loaded machine must not fall back to local.
        var url = await NewSchemaAsync() + ";Timeout=30";
        var clock = new ManualTimeProvider(); // one fixed minute: the burst cannot straddle two windows
        var databases = Enumerable.Range(0, 3).Select(_ => new SharedDatabase(url)).ToArray();
        var limiters = databases.Select(database => NewLimiter(database, clock, out var unused)).ToArray();
        try
        {
            var ci = new ClientKey("ci", null);
            var ops = new ClientKey("ops", 3);

            var decisions = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => limiters[i % 3].AcquireAsync(i % 2 == 0 ? ci : ops, default).AsTask()));

            Assert.Equal(10, decisions.Where((d, i) => i % 2 == 0).Count(d => d.Allowed));
            Assert.Equal(3, decisions.Where((d, i) => i % 2 == 1).Count(d => d.Allowed));
            Assert.Equal(Enumerable.Range(0, 10).ToArray(), decisions.Where((d, i) => i % 2 == 0 && d.Allowed).Select(d => d.Remaining).Order().ToArray());

            clock.Advance(TimeSpan.FromMinutes(1)); // the next window starts from zero
            Assert.True((await limiters[1].AcquireAsync(ci, default)).Allowed);
        }
        finally
        {
            foreach (var limiter in limiters) limiter.Dispose();
            foreach (var database in databases) await database.DisposeAsync();
        }
    }

    [Fact]
    public async Task AcquireAsync_DatabaseUnreachable_FallsBackToThisInstancesLimitAndSaysSo()
    {
        var clock = new ManualTimeProvider();
        var unreachable = $"Host=127.0.0.1;Port={GatewayProcess.FreePort()};Username=postgres;Database=postgres";
        await using var database = new SharedDatabase(unreachable);
        using var limiter = NewLimiter(database, clock, out var cluster);
        var key = new ClientKey("ci", 2);

        var decisions = new List<RateLimitDecision>();
        for (var i = 0; i < 3; i++) decisions.Add(await limiter.AcquireAsync(key, default));

        Assert.Equal([true, true, false], decisions.Select(d => d.Allowed));
        Assert.False(cluster.RateLimit.IsShared);
        Assert.Contains("Failed to connect", cluster.RateLimit.Error);
        Assert.False(cluster.Healthy);
    }

    [Fact]
    public async Task CredentialStateSync_ChangesOnOneInstance_AppliedOnTheOther()
    {
        var url = await NewSchemaAsync();
        await using var a = await SyncedPool.StartAsync(url);
        await using var b = await SyncedPool.StartAsync(url);
        var (alphaA, alphaB) = (a.Pool.Credentials[0], b.Pool.Credentials[0]);

        a.Pool.ReportRateLimited(alphaA, TimeSpan.FromSeconds(300), "RateLimited (429): slow down");
        await WaitAsync(() => alphaB.CoolingUntil(DateTimeOffset.UtcNow) is not null, "B to see the cooldown");
        Assert.Equal(alphaA.CoolingUntil(DateTimeOffset.UtcNow)!.Value.ToUnixTimeMilliseconds(), alphaB.CoolingUntil(DateTimeOffset.UtcNow)!.Value.ToUnixTimeMilliseconds());
        Assert.Equal("RateLimited (429): slow down", alphaB.LastError);
        Assert.Equal(0, alphaB.Failures); // counted where it happened only

        var bravoB = b.Pool.Credentials[1];
        b.Pool.ReportInvalid(bravoB, "Unauthenticated (401)");
        await WaitAsync(() => a.Pool.Credentials[1].IsInvalid, "A to see bravo invalid");

        a.Pool.ReportSuccess(a.Pool.Credentials[1]); // a re-probe on A succeeded
        await WaitAsync(() => !bravoB.IsInvalid, "B to put bravo back into rotation");
        Assert.Null(a.Pool.Credentials[1].InvalidSince);
    }

    [Fact]
    public async Task SharedClientToken_InstancesWithEmptyDataDirs_AllUseTheFirstOnesToken()
    {
        var url = await postgres.CreateDatabaseAsync();
        var dirs = Enumerable.Range(0, 3).Select(_ => Directory.CreateTempSubdirectory("odg-token-").FullName).ToArray();
        try
        {
            var results = await Task.WhenAll(dirs.Select(d => Task.Run(() => SharedClientToken.LoadOrCreate(url, d, TimeProvider.System))));

            Assert.Single(results.Select(r => r.Token).Distinct());
            Assert.Single(results, r => r.Created); // printed once, by the instance that stored it
            Assert.All(results, r => Assert.Equal(ClientTokenOrigins.Shared, r.Origin));
            Assert.All(dirs, d => Assert.Equal(results[0].Token, GeneratedClientToken.TryRead(d)));
        }
        finally
        {
            foreach (var d in dirs) Directory.Delete(d, recursive: true);
        }
    }

    [Fact]
    public async Task SharedClientToken_ExistingLocalToken_BecomesTheSharedOne()
    {
        var url = await postgres.CreateDatabaseAsync();
        var dir = Directory.CreateTempSubdirectory("odg-token-").FullName;
        var other = Directory.CreateTempSubdirectory("odg-token-").FullName;
        try
        {
            var (existing, _) = GeneratedClientToken.LoadOrCreate(dir);
            var first = SharedClientToken.LoadOrCreate(url, dir, TimeProvider.System);
            var second = SharedClientToken.LoadOrCreate(url, other, TimeProvider.System);
            Assert.Equal((existing, false), (first.Token, first.Created));
            Assert.Equal(existing, second.Token);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
            Directory.Delete(other, recursive: true);
        }
    }

    [Fact]
    public void SharedClientToken_DatabaseUnreachable_StartsWithALocalToken()
    {
        var dir = Directory.CreateTempSubdirectory("odg-token-").FullName;
        try
        {
            var unreachable = $"Host=127.0.0.1;Port={GatewayProcess.FreePort()};Username=postgres;Database=postgres";
            var result = SharedClientToken.LoadOrCreate(unreachable, dir, TimeProvider.System);
            Assert.Equal(ClientTokenOrigins.Local, result.Origin);
            Assert.True(result.Created);
            Assert.Equal(result.Token, GeneratedClientToken.TryRead(dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private async Task<string> NewSchemaAsync()
    {
        var url = await postgres.CreateDatabaseAsync();
        await using var connection = new NpgsqlConnection(url);
        await connection.OpenAsync();
        await ClusterSchema.EnsureAsync(connection, default);
        return url;
    }

    private static SharedWindowRateLimiter NewLimiter(SharedDatabase database, TimeProvider clock, out ClusterState cluster)
    {
        cluster = new ClusterState(enabled: true);
        cluster.Schema.Recover(clock.GetUtcNow());
        return new SharedWindowRateLimiter(database, new FixedWindowRateLimiter(Options, clock), cluster, Options, clock,
            NullLogger<SharedWindowRateLimiter>.Instance);
    }

    /// <summary>The sync loop polls every 500 ms; the deadline leaves room for a loaded machine.</summary>
    private static async Task WaitAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }

    /// <summary>One instance's pool with its sync loop running, as the gateway wires them.</summary>
    private sealed class SyncedPool : IAsyncDisposable
    {
        private readonly ServiceProvider _services;
        private readonly IHostedService _sync;

        private SyncedPool(ServiceProvider services)
        {
            _services = services;
            _sync = services.GetRequiredService<CredentialStateSync>();
            Pool = services.GetRequiredService<CredentialPool>();
        }

        public CredentialPool Pool { get; }

        public static async Task<SyncedPool> StartAsync(string url)
        {
            var services = new ServiceCollection()
                .AddLogging()
                .AddSingleton(Options)
                .AddSingleton(TimeProvider.System)
                .AddSingleton(_ => { var c = new ClusterState(enabled: true); c.Schema.Recover(DateTimeOffset.UtcNow); return c; })
                .AddSingleton(_ => new SharedDatabase(url))
                .AddSingleton<CredentialStateSync>()
                .AddSingleton<ICredentialStateSync>(sp => sp.GetRequiredService<CredentialStateSync>())
                .AddSingleton<CredentialPool>()
                .BuildServiceProvider();
            var pool = new SyncedPool(services);
            await pool._sync.StartAsync(default);
            return pool;
        }

        public async ValueTask DisposeAsync()
        {
            await _sync.StopAsync(default);
            await _services.DisposeAsync();
        }
    }
}
