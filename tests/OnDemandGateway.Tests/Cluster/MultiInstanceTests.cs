using System.Diagnostics;
using System.Net;
using System.Text.Json;
using OnDemandGateway.FakeUpstream;
using OnDemandGateway.Tests.TestSupport;

namespace OnDemandGateway.Tests.Cluster;

/// <summary>Several real gateway processes on one PostgreSQL behave as one gateway: one rate limit, one view of
/// every credential's cooldown, the same totals on every dashboard, through a database outage and the loss of
/// an instance.</summary>
public sealed class MultiInstanceTests
{
    [Fact]
    public async Task TwoInstances_ConcurrentBurstAgainstSmallLimit_AdmitExactlyTheLimitAndShowEqualTotals()
    {
        await using var rig = await ClusterRig.StartAsync();
        await rig.StartInstancesAsync(2, rig.Environment(rateLimit: 7));
        var (a, b) = (rig.Instances[0], rig.Instances[1]);
        Assert.Equal(rig.Token, File.ReadAllText(Path.Combine(b.DataDir, "client_token")).Trim());
        // An instance whose schema start-up is still under way limits on its own: both must count in PostgreSQL.
        foreach (var instance in rig.Instances) await instance.WaitUntilSharedAsync();

        // Windows are calendar minutes: start the burst early in one so it cannot straddle two.
        await a.WaitUntilAsync(() => Task.FromResult(DateTimeOffset.UtcNow.Second < 40), TimeSpan.FromSeconds(25), "an early second of a minute");
        var minute = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60;
        var statuses = await Task.WhenAll(Enumerable.Range(0, 24).Select(i => rig.ChatAsync(i % 2 == 0 ? a : b)));
        Assert.Equal(minute, DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60);

        Assert.Equal(7, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(17, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        Assert.Equal(7, rig.Upstream.QueryCount);

        // Both dashboards read the same shared rollups: equal totals, equal to what was admitted.
        await a.WaitUntilAsync(async () => await rig.TotalRequestsAsync(a) == 7, TimeSpan.FromSeconds(20), "7 requests in the statistics");
        Assert.Equal(7, await rig.TotalRequestsAsync(b));
        var healthA = await a.HealthAsync();
        Assert.Equal("ok", healthA.GetProperty("status").GetString());
        Assert.Equal("shared", healthA.GetProperty("shared_state").GetProperty("client_token").GetString());
    }

    [Fact]
    public async Task CooldownLearnedOnOneInstance_IsHonouredByTheOther()
    {
        await using var rig = await ClusterRig.StartAsync();
        var alpha = ClusterRig.ApiKeys[0];
        var limited = 0;
        // The first query made with key alpha, by whichever instance, is refused with a long Retry-After.
        rig.Upstream.Handler = call => call.Kind == FakeCallKind.Query && call.Credential == alpha && Interlocked.Exchange(ref limited, 1) == 0
            ? FakeReply.Status(429, "rate_limit_exceeded", "slow down", TimeSpan.FromSeconds(300))
            : null;
        await rig.StartInstancesAsync(2, rig.Environment(rateLimit: 0));
        var (a, b) = (rig.Instances[0], rig.Instances[1]);

        // Round robin on A reaches alpha within two requests; the 429 moves that request on to bravo.
        for (var i = 0; i < 2 && Volatile.Read(ref limited) == 0; i++) Assert.Equal(HttpStatusCode.OK, await rig.ChatAsync(a));
        Assert.Equal(1, Volatile.Read(ref limited));
        var learned = Stopwatch.StartNew();

        await b.WaitUntilAsync(async () => (await CoolingIdsAsync(rig, b)).Length == 1, TimeSpan.FromSeconds(20), "instance B to see alpha cooling");
        // Pushed and polled every 500 ms: well under a second when idle; the bound only leaves room for a loaded
        // machine and still fails when the change arrives only through a slow fallback.
        var propagation = learned.Elapsed;
        Assert.True(propagation < TimeSpan.FromSeconds(10), $"cooldown reached the other instance after {propagation.TotalMilliseconds:F0} ms");
        Assert.Equal(await CoolingIdsAsync(rig, a), await CoolingIdsAsync(rig, b));

        var alphaQueriesBefore = AlphaQueries(rig);
        for (var i = 0; i < 6; i++) Assert.Equal(HttpStatusCode.OK, await rig.ChatAsync(b));
        Assert.Equal(alphaQueriesBefore, AlphaQueries(rig)); // B never tried the credential A saw limited
    }

    [Fact]
    public async Task DatabaseStoppedAndStartedUnderTraffic_EveryRequestServedAndCountedOnce()
    {
        await using var rig = await ClusterRig.StartAsync();
        await rig.StartInstancesAsync(2, rig.Environment(rateLimit: 1000));
        var (a, b) = (rig.Instances[0], rig.Instances[1]);
        var sent = 0;
        async Task SendAsync(int count)
        {
            for (var i = 0; i < count; i++, sent++)
                Assert.Equal(HttpStatusCode.OK, await rig.ChatAsync(sent % 2 == 0 ? a : b));
        }

        await SendAsync(6);
        await rig.Database.StopServerAsync();
        await SendAsync(10); // relaying never waits on the database
        foreach (var instance in rig.Instances)
        {
            // The credential poller notices within its next round (500 ms), whether or not requests arrive.
            await instance.WaitUntilAsync(async () => (await instance.HealthAsync()).GetProperty("shared_state")
                .GetProperty("credentials").GetProperty("mode").GetString() == "local", TimeSpan.FromSeconds(10), "credential state to fall back");
            // Storage learns of the outage at its next write attempt (the writer batches for 200 ms first).
            await instance.WaitUntilAsync(async () => !(await instance.HealthAsync()).GetProperty("storage").GetProperty("ok").GetBoolean(),
                TimeSpan.FromSeconds(10), "usage storage to report the outage");
            Assert.Equal("degraded", (await instance.HealthAsync()).GetProperty("status").GetString());
        }
        Assert.Contains("Shared credential state unavailable", a.Output);

        await rig.Database.StartServerAsync();
        await SendAsync(6);
        foreach (var instance in rig.Instances)
            await instance.WaitUntilAsync(async () => await TryTotalAsync(rig, instance) == sent, TimeSpan.FromSeconds(40), $"{sent} requests in the statistics");
        foreach (var instance in rig.Instances)
        {
            await instance.WaitUntilAsync(async () => (await instance.HealthAsync()).GetProperty("status").GetString() == "ok",
                TimeSpan.FromSeconds(20), "/health to report ok again");
        }
        Assert.Equal(22, await rig.TotalRequestsAsync(a));
        Assert.Equal(22, await rig.TotalRequestsAsync(b));
    }

    [Fact]
    public async Task InstanceKilledMidStream_OtherKeepsServingAndNothingIsCountedTwice()
    {
        await using var rig = await ClusterRig.StartAsync(new FakeOnDemandOptions { Quiet = true, DeltaDelay = TimeSpan.FromMilliseconds(300) });
        await rig.StartInstancesAsync(2, rig.Environment(rateLimit: 1000));
        var (a, b) = (rig.Instances[0], rig.Instances[1]);
        for (var i = 0; i < 2; i++) Assert.Equal(HttpStatusCode.OK, await rig.ChatAsync(a));
        await a.WaitUntilAsync(async () => await rig.TotalRequestsAsync(a) == 2, TimeSpan.FromSeconds(20), "A's requests stored");

        using (var stream = await a.ChatAsync(rig.Token, stream: true))
        {
            Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
            var body = await stream.Content.ReadAsStreamAsync();
            Assert.True(await body.ReadAsync(new byte[1]) > 0); // the stream is under way
            await a.KillAsync();
        }

        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, await rig.ChatAsync(b));
        await b.WaitUntilAsync(async () => await rig.TotalRequestsAsync(b) >= 5, TimeSpan.FromSeconds(20), "B's requests stored");
        Assert.Equal(5, await rig.TotalRequestsAsync(b)); // the killed stream never finished: not counted, nothing twice
    }

    [Fact]
    public async Task StartedWhileDatabaseDown_ServesAndReportsDegraded_ThenCatchesUp()
    {
        await using var rig = await ClusterRig.StartAsync();
        await rig.Database.StopServerAsync();
        var environment = rig.Environment(rateLimit: 2);
        environment["API_ACCESS_TOKEN"] = "cluster-test-token-0001";
        await rig.StartInstancesAsync(1, environment);
        var a = rig.Instances[0];

        var health = await a.HealthAsync();
        Assert.Equal("degraded", health.GetProperty("status").GetString());
        Assert.Equal("postgres", health.GetProperty("storage").GetProperty("kind").GetString());
        Assert.False(health.GetProperty("storage").GetProperty("ok").GetBoolean());
        Assert.Equal("local", health.GetProperty("shared_state").GetProperty("rate_limit").GetProperty("mode").GetString());
        Assert.DoesNotContain("password", health.GetRawText(), StringComparison.OrdinalIgnoreCase);

        using (var ok = await a.ChatAsync("cluster-test-token-0001")) Assert.Equal(HttpStatusCode.OK, ok.StatusCode);

        await rig.Database.StartServerAsync();
        await a.WaitUntilAsync(async () => (await a.HealthAsync()).GetProperty("storage").GetProperty("ok").GetBoolean(),
            TimeSpan.FromSeconds(30), "storage to recover");
        await a.WaitUntilAsync(async () => (await a.GetJsonAsync("/api/stats", "cluster-test-token-0001")).GetProperty("total_requests").GetInt64() == 1,
            TimeSpan.FromSeconds(30), "the buffered record to be written");
    }

    private static int AlphaQueries(ClusterRig rig) =>
        rig.Upstream.Calls.Count(c => c.Kind == FakeCallKind.Query && c.Credential == ClusterRig.ApiKeys[0]);

    private static async Task<string[]> CoolingIdsAsync(ClusterRig rig, GatewayProcess instance)
    {
        var accounts = await instance.GetJsonAsync("/api/accounts", rig.Token);
        return [.. accounts.GetProperty("credentials").EnumerateArray()
            .Where(c => c.GetProperty("state").GetString() == "cooling")
            .Select(c => c.GetProperty("id").GetString()!)];
    }

    private static async Task<long> TryTotalAsync(ClusterRig rig, GatewayProcess instance)
    {
        try { return await rig.TotalRequestsAsync(instance); }
        catch (Exception ex) when (ex is HttpRequestException or Xunit.Sdk.XunitException or JsonException) { return -1; }
    }
}
