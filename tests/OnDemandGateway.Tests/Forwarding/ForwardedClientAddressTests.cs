using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.HttpOverrides;
using IPNetwork = System.Net.IPNetwork;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging.Abstractions;
using OnDemandGateway.Auth;
using OnDemandGateway.Configuration;
using OnDemandGateway.Forwarding;
using OnDemandGateway.Tests.TestSupport;

namespace OnDemandGateway.Tests.Forwarding;

/// <summary>Behind a reverse proxy (deploy/nginx.conf on the same host) every request comes from the proxy's
/// address; the client's own address is the X-Forwarded-For entry the trusted proxy added. The failed-auth
/// throttle must key on that, so one client's bad key never locks out the others.</summary>
public sealed class ForwardedClientAddressTests
{
    private static readonly object Body = new { messages = new[] { new { role = "user", content = "x" } } };

    /// <summary>The tests connect from 127.0.0.1, which plays the proxy. The throttle runs on a manual clock, so
    /// its minute cannot turn in the middle of a test.</summary>
    private static Task<GatewayHost> StartAsync(IReadOnlyList<IPNetwork>? trustedProxies = null) =>
        GatewayHost.StartAsync(
            o => trustedProxies is null ? o : o with { TrustedProxies = trustedProxies },
            services: s => s.Replace(ServiceDescriptor.Singleton(new AuthFailureThrottle(new ManualTimeProvider()))));

    private static async Task<HttpStatusCode> PostAsync(GatewayHost host, string token, string? forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = JsonContent.Create(Body) };
        request.Headers.Authorization = new("Bearer", token);
        if (forwardedFor is not null) request.Headers.Add("X-Forwarded-For", forwardedFor);
        using var client = new HttpClient { BaseAddress = host.BaseUrl };
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    private static async Task FailAuthenticationAsync(GatewayHost host, string forwardedFor)
    {
        for (var i = 0; i < AuthFailureThrottle.MaxFailuresPerMinute; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, await PostAsync(host, $"wrong-key-{i}", forwardedFor));
    }

    [Fact]
    public async Task BadKeysFromOneClient_ThroughTrustedProxy_DoNotLockOutAnotherClient()
    {
        await using var host = await StartAsync();
        await FailAuthenticationAsync(host, "203.0.113.10");

        Assert.Equal(HttpStatusCode.OK, await PostAsync(host, GatewayHost.Token, "203.0.113.20"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await PostAsync(host, GatewayHost.Token, "203.0.113.10"));
    }

    [Fact]
    public async Task ForwardedFor_FromUntrustedPeer_IsIgnored()
    {
        // 127.0.0.1 is not trusted here, so its X-Forwarded-For is a claim anyone could make: every request counts
        // against the peer's own address, and client B's different header does not get it out of the block.
        await using var host = await StartAsync(trustedProxies: [IPNetwork.Parse("10.0.0.0/8")]);
        await FailAuthenticationAsync(host, "203.0.113.10");

        Assert.Equal(HttpStatusCode.TooManyRequests, await PostAsync(host, GatewayHost.Token, "203.0.113.20"));
    }

    [Fact]
    public async Task NoTrustedProxies_ForwardedForIsIgnored()
    {
        await using var host = await StartAsync(trustedProxies: []);
        await FailAuthenticationAsync(host, "203.0.113.10");

        Assert.Equal(HttpStatusCode.TooManyRequests, await PostAsync(host, GatewayHost.Token, "203.0.113.20"));
    }

    [Fact]
    public async Task ForwardedForChain_RightMostUntrustedEntryIsTheClient()
    {
        // Through two trusted hops (10.0.0.2, then 127.0.0.1) the client is 203.0.113.10; the left-most entry is
        // whatever the client wrote itself, so keying on it would let a guesser pick a fresh address per request.
        await using var host = await StartAsync(trustedProxies: [IPNetwork.Parse("127.0.0.0/8"), IPNetwork.Parse("10.0.0.0/8")]);
        for (var i = 0; i < AuthFailureThrottle.MaxFailuresPerMinute; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, await PostAsync(host, $"wrong-key-{i}", $"198.51.100.{i}, 203.0.113.10, 10.0.0.2"));

        Assert.Equal(HttpStatusCode.TooManyRequests, await PostAsync(host, GatewayHost.Token, "203.0.113.10, 10.0.0.2"));
        Assert.Equal(HttpStatusCode.OK, await PostAsync(host, GatewayHost.Token, "203.0.113.10, 203.0.113.20, 10.0.0.2"));
    }

    [Fact]
    public async Task BadDashboardLogins_ThroughTrustedProxy_DoNotLockOutAnotherClient()
    {
        await using var host = await StartAsync();
        using var client = new HttpClient { BaseAddress = host.BaseUrl };
        for (var i = 0; i < AuthFailureThrottle.MaxFailuresPerMinute; i++)
        {
            using var login = new HttpRequestMessage(HttpMethod.Post, "/login") { Content = new FormUrlEncodedContent([new("token", $"guess-{i}")]) };
            login.Headers.Add("X-Forwarded-For", "203.0.113.10");
            using var failed = await client.SendAsync(login);
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }

        using var other = new HttpRequestMessage(HttpMethod.Get, "/api/stats");
        other.Headers.Authorization = new("Bearer", GatewayHost.Token);
        other.Headers.Add("X-Forwarded-For", "203.0.113.20");
        using var response = await client.SendAsync(other);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData(true, "https", true)]    // nginx ended TLS and says so: the session cookie must not travel over http
    [InlineData(true, null, false)]
    [InlineData(false, "https", false)]  // from a peer that is not a trusted proxy the header is the client's word
    public async Task DashboardLogin_SecureCookieFollowsTheTrustedProxysScheme(bool trusted, string? forwardedProto, bool secure)
    {
        await using var host = await StartAsync(trusted ? null : []);
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = host.BaseUrl };
        using var login = new HttpRequestMessage(HttpMethod.Post, "/login") { Content = new FormUrlEncodedContent([new("token", GatewayHost.Token)]) };
        login.Headers.Add("X-Forwarded-For", "203.0.113.10");
        if (forwardedProto is not null) login.Headers.Add("X-Forwarded-Proto", forwardedProto);

        using var response = await client.SendAsync(login);

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.Equal(secure, cookie.Contains("; secure", StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData("127.0.0.1", "203.0.113.10", "203.0.113.10")]
    [InlineData("::ffff:127.0.0.1", "203.0.113.10", "203.0.113.10")]   // IPv4 peers as a dual-stack listener (http://*:PORT) sees them
    [InlineData("::1", "2001:db8::7", "2001:db8::7")]
    [InlineData("192.0.2.1", "203.0.113.10", "192.0.2.1")]
    [InlineData("127.0.0.1", "203.0.113.10, 127.0.0.1", "203.0.113.10")]
    [InlineData("127.0.0.1", "not-an-address", "127.0.0.1")]
    public async Task Options_DefaultTrust_ClientBehindLoopbackProxyOnly(string peer, string forwardedFor, string client)
    {
        var options = Microsoft.Extensions.Options.Options.Create(ForwardedClientAddress.Options(new GatewayOptions().TrustedProxies));
        var middleware = new ForwardedHeadersMiddleware(_ => Task.CompletedTask, NullLoggerFactory.Instance, options);
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(peer);
        context.Request.Headers["X-Forwarded-For"] = forwardedFor;

        await middleware.Invoke(context);

        Assert.Equal(IPAddress.Parse(client), context.Connection.RemoteIpAddress);
    }
}
