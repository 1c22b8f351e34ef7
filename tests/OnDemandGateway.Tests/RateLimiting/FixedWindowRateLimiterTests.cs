using OnDemandGateway.Auth;
using OnDemandGateway.Configuration;
using OnDemandGateway.RateLimiting;
using OnDemandGateway.Tests.TestSupport;

namespace OnDemandGateway.Tests.RateLimiting;

public sealed class FixedWindowRateLimiterTests
{
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 12, 0, 10, TimeSpan.Zero));

    [Fact]
    public async Task AcquireAsync_AdmitsExactlyTheLimitPerMinute_ThenResetsAtTheMinute()
    {
        var limiter = new FixedWindowRateLimiter(new GatewayOptions { RateLimitPerMinute = 3 }, _time);
        var key = new ClientKey("k", null);
        var decisions = new List<RateLimitDecision>();
        for (var i = 0; i < 5; i++) decisions.Add(await limiter.AcquireAsync(key, default));
        Assert.Equal([true, true, true, false, false], decisions.Select(d => d.Allowed));
        Assert.Equal([2, 1, 0, 0, 0], decisions.Select(d => d.Remaining));
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 12, 1, 0, TimeSpan.Zero), decisions[3].ResetAt);

        _time.Advance(TimeSpan.FromSeconds(50));
        Assert.True((await limiter.AcquireAsync(key, default)).Allowed);
    }

    [Fact]
    public async Task AcquireAsync_PerKeyOverride_AndKeysAreIndependent()
    {
        var limiter = new FixedWindowRateLimiter(new GatewayOptions { RateLimitPerMinute = 1 }, _time);
        var generous = new ClientKey("generous", 2);
        var strict = new ClientKey("strict", null);
        Assert.True((await limiter.AcquireAsync(generous, default)).Allowed);
        Assert.True((await limiter.AcquireAsync(generous, default)).Allowed);
        Assert.False((await limiter.AcquireAsync(generous, default)).Allowed);
        Assert.True((await limiter.AcquireAsync(strict, default)).Allowed);
        Assert.False((await limiter.AcquireAsync(strict, default)).Allowed);
    }

    [Fact]
    public async Task AcquireAsync_ZeroLimit_IsUnlimited()
    {
        var limiter = new FixedWindowRateLimiter(new GatewayOptions { RateLimitPerMinute = 0 }, _time);
        for (var i = 0; i < 100; i++) Assert.True((await limiter.AcquireAsync(new ClientKey("k", null), default)).Allowed);
    }
}
