using OnDemandGateway.Configuration;
using OnDemandGateway.Relay;
using OnDemandGateway.Upstream;

namespace OnDemandGateway.Tests.Relay;

public sealed class ClassifiedRetryPolicyTests
{
    private static ClassifiedRetryPolicy Policy(double random = 0.5) =>
        new(new GatewayOptions { MaxRetries = 3, RetryDelaySeconds = 1.0 }, () => random);

    [Theory]
    [InlineData("RateLimited")]
    [InlineData("Unauthenticated")]
    [InlineData("Forbidden")]
    public void Decide_CredentialProblems_MoveToNextCredentialAtOnce(string kind)
    {
        Assert.Equal(RetryDecision.NextCredential, Policy().Decide(Enum.Parse<UpstreamErrorKind>(kind), 0));
    }

    [Theory]
    [InlineData("BadRequest")]
    [InlineData("StreamError")]
    [InlineData("ClientAborted")]
    [InlineData("Truncated")]   // a stream cut without [DONE]; a connection closed before any answer is Transport
    public void Decide_NonRetryable_Fails(string kind)
    {
        Assert.Equal(RetryAction.Fail, Policy().Decide(Enum.Parse<UpstreamErrorKind>(kind), 0).Action);
    }

    [Fact]
    public void Decide_ServerError_BacksOffLinearly_ThenGivesUpAfterMaxRetries()
    {
        var policy = Policy();
        Assert.Equal([1.0, 2.0, 3.0], Enumerable.Range(0, 3).Select(i => policy.Decide(UpstreamErrorKind.ServerError, i).Delay.TotalSeconds));
        Assert.Equal(RetryAction.Fail, policy.Decide(UpstreamErrorKind.ServerError, 3).Action);
    }

    [Fact]
    public void Decide_Transport_BacksOffExponentially()
    {
        var policy = Policy();
        Assert.Equal([1.0, 2.0, 4.0], Enumerable.Range(0, 3).Select(i => policy.Decide(UpstreamErrorKind.Transport, i).Delay.TotalSeconds));
    }

    [Fact]
    public void Decide_Jitter_StaysWithinTwentyPercent()
    {
        Assert.Equal(0.8, Policy(0).Decide(UpstreamErrorKind.Timeout, 0).Delay.TotalSeconds, 6);
        Assert.Equal(1.2, Policy(1).Decide(UpstreamErrorKind.Timeout, 0).Delay.TotalSeconds, 6);
    }
}
