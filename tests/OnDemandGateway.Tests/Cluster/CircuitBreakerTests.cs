using OnDemandGateway.Cluster;
using OnDemandGateway.Tests.TestSupport;

namespace OnDemandGateway.Tests.Cluster;

public sealed class CircuitBreakerTests
{
    [Fact]
    public void TryEnter_AfterFailure_RefusesUntilOpenPeriodThenLetsExactlyOneTrial()
    {
        var clock = new ManualTimeProvider();
        var breaker = new CircuitBreaker(clock, TimeSpan.FromSeconds(2));
        Assert.True(breaker.TryEnter());

        Assert.True(breaker.Failed());   // closed → open: the caller logs once
        Assert.False(breaker.Failed());  // already open: no second log
        Assert.False(breaker.TryEnter());
        clock.Advance(TimeSpan.FromSeconds(1.9));
        Assert.False(breaker.TryEnter());

        clock.Advance(TimeSpan.FromSeconds(0.2));
        Assert.True(breaker.TryEnter());  // the single trial
        Assert.False(breaker.TryEnter()); // everyone else keeps falling back meanwhile
        Assert.True(breaker.Succeeded()); // open → closed: the caller logs the recovery
        Assert.True(breaker.IsClosed);
        Assert.True(breaker.TryEnter());
    }

    [Fact]
    public void TryEnter_TrialFails_OpensForAnotherFullPeriod()
    {
        var clock = new ManualTimeProvider();
        var breaker = new CircuitBreaker(clock, TimeSpan.FromSeconds(2));
        breaker.Failed();
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.True(breaker.TryEnter());
        breaker.Failed();
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(breaker.TryEnter());
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(breaker.TryEnter());
    }
}
