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
