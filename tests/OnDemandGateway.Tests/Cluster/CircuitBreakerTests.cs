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

    [Fact]
    public void Failed_BelowThresholdInARow_StaysClosed_ThenOpensOnTheLast()
    {
        var clock = new ManualTimeProvider();
        var breaker = new CircuitBreaker(clock, TimeSpan.FromSeconds(2), failuresToOpen: 3);

        Assert.False(breaker.Failed());
        Assert.False(breaker.Failed());
        Assert.True(breaker.IsClosed);
        Assert.True(breaker.TryEnter());
        Assert.True(breaker.Failed()); // third in a row: opens, and says so once
        Assert.False(breaker.TryEnter());
    }

    [Fact]
    public void Failed_SuccessBetweenFailures_StartsTheCountAgain()
    {
        var clock = new ManualTimeProvider();
        var breaker = new CircuitBreaker(clock, TimeSpan.FromSeconds(2), failuresToOpen: 3);

        breaker.Failed();
        breaker.Failed();
        Assert.False(breaker.Succeeded()); // it never opened: nothing to log
        breaker.Failed();
        breaker.Failed();
        Assert.True(breaker.IsClosed);
    }

    [Fact]
    public void Failed_TrialFailsWithThreshold_OpensAgainAtOnce()
    {
        var clock = new ManualTimeProvider();
        var breaker = new CircuitBreaker(clock, TimeSpan.FromSeconds(2), failuresToOpen: 3);
        for (var i = 0; i < 3; i++) breaker.Failed();
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.True(breaker.TryEnter());

        breaker.Failed(); // the trial: one failure is enough
        Assert.False(breaker.TryEnter());
    }
}
