using System.Net;
using System.Net.Http.Json;
using OnDemandGateway.FakeUpstream;
using OnDemandGateway.Tests.TestSupport;
using OnDemandGateway.Upstream;

namespace OnDemandGateway.Tests.Upstream;

/// <summary>The per-credential reserve of fresh sessions: how many creations a refill starts, how it grows under
/// load, and that a failing credential is not hammered from the background.</summary>
public sealed class SessionReserveTests
{
    [Fact]
    public void ClaimCreations_EmptyReserve_ClaimsUpToTheFloorOnce()
    {
        var reserve = new SessionReserve();

        Assert.Equal(2, reserve.ClaimCreations(floor: 2));
        Assert.Equal(0, reserve.ClaimCreations(floor: 2)); // the two under way count
        reserve.EndCreation("s1");
        Assert.Equal(0, reserve.ClaimCreations(floor: 2)); // one ready, one under way
        Assert.True(reserve.TryTake(out var taken));
        Assert.Equal("s1", taken);
        Assert.Equal(1, reserve.ClaimCreations(floor: 2));
    }

    [Fact]
    public void EndCreation_Failure_PausesRefillsUntilResume()
    {
        var reserve = new SessionReserve();
        Assert.Equal(1, reserve.ClaimCreations(floor: 1));

        reserve.EndCreation(null);

        Assert.Equal(0, reserve.ClaimCreations(floor: 1));
        reserve.Resume();
        Assert.Equal(1, reserve.ClaimCreations(floor: 1));
    }

    [Fact]
    public void RecordMiss_WhileCreationsAreUnderWay_GrowsTheTargetUpToTheCeiling()
    {
        var reserve = new SessionReserve();
        reserve.RecordMiss(floor: 2, ceiling: 4);
        Assert.Equal(0, reserve.Target); // a cold miss (nothing under way) is not a sign of load

        Assert.Equal(2, reserve.ClaimCreations(floor: 2));
        for (var i = 0; i < 5; i++) reserve.RecordMiss(floor: 2, ceiling: 4);

        Assert.Equal(4, reserve.Target);
        Assert.Equal(2, reserve.ClaimCreations(floor: 2)); // 4 wanted, 2 already under way
    }

    /// <summary>Fills the reserve: claims what is missing and ends every claimed creation with a new session.</summary>
    private static void Fill(SessionReserve reserve, int floor, ref int next)
    {
        var claimed = reserve.ClaimCreations(floor);
        for (var i = 0; i < claimed; i++) reserve.EndCreation($"s{next++}");
    }

    [Fact]
    public void ClaimCreations_GrownTargetOf16_RefillsOnlyOnceAQuarterIsMissing()
    {
        var reserve = new SessionReserve();
        var next = 0;
        Assert.Equal(2, reserve.ClaimCreations(floor: 2));
        for (var i = 0; i < 14; i++) reserve.RecordMiss(floor: 2, ceiling: 16);
        Assert.Equal(16, reserve.Target);
        Assert.Equal(14, reserve.ClaimCreations(floor: 2));
        for (var i = 0; i < 16; i++) reserve.EndCreation($"s{next++}");
        Assert.Equal((16, 0), (reserve.Count, reserve.Creating));
        Assert.Equal(0, reserve.ClaimCreations(floor: 2));

        for (var taken = 1; taken <= 3; taken++)
        {
            Assert.True(reserve.TryTake(out _));
            Assert.Equal(0, reserve.ClaimCreations(floor: 2));   // fewer than 16 / 4 missing: wait for more
        }
        Assert.True(reserve.TryTake(out _));

        Assert.Equal(4, reserve.ClaimCreations(floor: 2));   // a quarter missing: all four in one go
        Assert.Equal((12, 4), (reserve.Count, reserve.Creating));
        Assert.Equal(0, reserve.ClaimCreations(floor: 2));
    }

    [Fact]
    public void ClaimCreations_FloorOf16_RefillsOnlyOnceAQuarterIsMissing()
    {
        var reserve = new SessionReserve();
        var next = 0;
        Fill(reserve, 16, ref next);
        Assert.Equal(16, reserve.Count);

        for (var i = 0; i < 3; i++) Assert.True(reserve.TryTake(out _));
        Assert.Equal(0, reserve.ClaimCreations(floor: 16));
        Assert.True(reserve.TryTake(out _));
        Assert.Equal(4, reserve.ClaimCreations(floor: 16));
    }

    [Fact]
    public void ClaimCreations_EmptyReserve_ClaimsAtOnceEvenWhenLessThanAQuarterIsMissing()
    {
        var reserve = new SessionReserve();
        Assert.Equal(16, reserve.ClaimCreations(floor: 16));
        for (var i = 0; i < 3; i++) reserve.EndCreation($"s{i}");   // 3 ready, 13 still under way
        Assert.Equal(0, reserve.ClaimCreations(floor: 16));

        for (var i = 0; i < 3; i++) Assert.True(reserve.TryTake(out _));

        Assert.Equal(3, reserve.ClaimCreations(floor: 16));   // 3 of 16 missing, but nothing is ready
        Assert.Equal(16, reserve.Creating);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    public void ClaimCreations_SmallTarget_RefillsEachTakenSession(int floor)
    {
        var reserve = new SessionReserve();
        var next = 0;
        Fill(reserve, floor, ref next);
        Assert.Equal(floor, reserve.Count);

        Assert.True(reserve.TryTake(out _));

        Assert.Equal(1, reserve.ClaimCreations(floor));
    }

    [Fact]
    public void ClaimCreations_TargetOf8_WaitsForTwoMissing()
    {
        var reserve = new SessionReserve();
        var next = 0;
        Fill(reserve, 8, ref next);

        Assert.True(reserve.TryTake(out _));
        Assert.Equal(0, reserve.ClaimCreations(floor: 8));
        Assert.True(reserve.TryTake(out _));
        Assert.Equal(2, reserve.ClaimCreations(floor: 8));
    }

    [Fact]
    public async Task ConcurrentRequests_WithAReserve_EachQueryUsesItsOwnFreshSession()
    {
        await using var host = await GatewayHost.StartAsync(o => o with { SessionPoolSize = 2 });
        var body = new { model = "gpt-4o", messages = new[] { new { role = "user", content = "hello" } } };

        for (var round = 0; round < 3; round++)
        {
            var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => host.Http.PostAsJsonAsync("/v1/chat/completions", body)));
            Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        }

        var queries = host.Upstream.Calls.Where(c => c.Kind == FakeCallKind.Query).Select(c => c.SessionId).ToList();
        Assert.Equal(48, queries.Count);
        Assert.Equal(queries.Count, queries.Distinct().Count());
        // Every request is accounted for as reserve or inline, and /metrics reports the same split.
        var counts = host.Service<SessionSupply>().Counts;
        Assert.Equal(48, counts.FromReserve + counts.CreatedInline);
        var metrics = await host.Http.GetStringAsync("/metrics");
        Assert.Contains($"odg_upstream_sessions_total{{source=\"reserve\"}} {counts.FromReserve}\n", metrics);
        Assert.Contains($"odg_upstream_sessions_total{{source=\"inline\"}} {counts.CreatedInline}\n", metrics);
    }

    [Fact]
    public async Task Requests_WithoutAReserve_EachCreatesItsSessionInline()
    {
        await using var host = await GatewayHost.StartAsync(o => o with { SessionPoolSize = 0 });
        var body = new { model = "gpt-4o", messages = new[] { new { role = "user", content = "hello" } } };

        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, (await host.Http.PostAsJsonAsync("/v1/chat/completions", body)).StatusCode);

        Assert.Equal(new SessionSupplyCounts(FromReserve: 0, CreatedInline: 3), host.Service<SessionSupply>().Counts);
    }
}
