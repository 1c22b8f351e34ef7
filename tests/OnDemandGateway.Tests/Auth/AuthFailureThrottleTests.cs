using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using OnDemandGateway.Auth;
using OnDemandGateway.Tests.TestSupport;

namespace OnDemandGateway.Tests.Auth;

public sealed class AuthFailureThrottleTests
{
    private static DefaultHttpContext From(string address)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(address);
        return context;
    }

    [Fact]
    public void BlockedFor_AfterTooManyFailures_BlocksThatAddressUntilTheMinuteEnds()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 11, 22, 12, 0, 15, TimeSpan.Zero));
        var throttle = new AuthFailureThrottle(time);
        var guesser = From("10.0.0.7");
        for (var i = 0; i < AuthFailureThrottle.MaxFailuresPerMinute - 1; i++) throttle.RecordFailure(guesser);
        Assert.Null(throttle.BlockedFor(guesser));
        throttle.RecordFailure(guesser);
        Assert.Equal(45, throttle.BlockedFor(guesser));
        Assert.Null(throttle.BlockedFor(From("10.0.0.8")));

        time.Advance(TimeSpan.FromSeconds(45));
        Assert.Null(throttle.BlockedFor(guesser));
    }

    [Fact]
    public void BlockedFor_IPv6_CountsTheWhole64_NotEachAddress()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 11, 22, 12, 0, 15, TimeSpan.Zero));
        var throttle = new AuthFailureThrottle(time);
        // A guesser taking a new address of its /64 for every guess.
        for (var i = 1; i <= AuthFailureThrottle.MaxFailuresPerMinute; i++) throttle.RecordFailure(From($"2001:db8:0:7::{i:x}"));

        Assert.Equal(45, throttle.BlockedFor(From("2001:db8:0:7:ffff:ffff:ffff:ffff")));
        Assert.Null(throttle.BlockedFor(From("2001:db8:0:8::1")));   // the next /64 is someone else
        Assert.Null(throttle.BlockedFor(From("::ffff:10.0.0.7")));   // IPv4 clients count by their own address
    }

    [Fact]
    public async Task GuessingTokens_OnV1_Gets429AfterTheLimit()
    {
        await using var host = await GatewayHost.StartAsync();
        using var guesser = new HttpClient { BaseAddress = host.BaseUrl };
        var body = new { messages = new[] { new { role = "user", content = "x" } } };
        for (var i = 0; i < AuthFailureThrottle.MaxFailuresPerMinute; i++)
        {
            guesser.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", $"guess-{i}");
            Assert.Equal(HttpStatusCode.Unauthorized, (await guesser.PostAsJsonAsync("/v1/chat/completions", body)).StatusCode);
        }
        var blocked = await guesser.PostAsJsonAsync("/v1/chat/completions", body);
        Assert.Equal(HttpStatusCode.TooManyRequests, blocked.StatusCode);
        Assert.Contains("too_many_auth_failures", await blocked.Content.ReadAsStringAsync());
        Assert.NotNull(blocked.Headers.RetryAfter);
    }
}
