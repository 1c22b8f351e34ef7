using Microsoft.Extensions.Logging.Abstractions;
using OnDemandGateway.Accounts;
using OnDemandGateway.Configuration;
using OnDemandGateway.FakeUpstream;
using OnDemandGateway.Tests.Upstream.Http;
using OnDemandGateway.Upstream;
using OnDemandGateway.Upstream.Http;

namespace OnDemandGateway.Tests.Upstream;

/// <summary><see cref="OnDemandClient"/>'s signin for concurrent callers on one account: one signin, whose outcome
/// (a failure too) every caller that waited for it shares.</summary>
public sealed class OnDemandClientSigninTests
{
    private const string SigninLine = "POST /v1/auth/user/signin HTTP/1.1";

    private static OnDemandClient NewClient(UpstreamHttpClient http, RawServer server)
    {
        var origin = $"http://127.0.0.1:{server.Port}";
        return new(http, new GatewayOptions { OnDemandApiBase = origin, OnDemandAuthBase = origin }, NullLogger<OnDemandClient>.Instance);
    }

    private static UpstreamHttpClient NewHttp() => new(new UpstreamHttpOptions { Proxy = null }, TimeProvider.System);

    private static CredentialState Account() => new(new CredentialOptions(CredentialKind.Account, null, "wait@example.com", "pw"), 0);

    [Fact]
    public async Task CreateSessionAsync_CallsWaitingOnASigninThatFails_ShareItsFailure_WithoutSigningInAgain()
    {
        using var server = new RawServer();
        using var http = NewHttp();
        var client = NewClient(http, server);
        var account = Account();
        // Each call runs until it waits: the first on the signin's answer, the others on the account's signin gate.
        var calls = Enumerable.Range(0, 3).Select(_ => client.CreateSessionAsync(account, CancellationToken.None)).ToArray();

        using var connection = await server.AcceptAsync();
        Assert.Equal(SigninLine, (await connection.ReadRequestAsync()).RequestLine);
        await connection.WriteAsync(RawReplies.Json(503, "Service Unavailable", """{"message":"busy","errorCode":"resource_unavailable"}"""));
        var results = await Task.WhenAll(calls).WaitAsync(RawServer.Timeout);

        Assert.All(results, r => Assert.Equal(UpstreamErrorKind.ServerError, r.Error?.Kind));
        Assert.False(connection.HasUnreadBytes, "a waiting call signed in again");
        Assert.False(server.HasPendingConnection, "a waiting call signed in again on a new connection");
    }

    [Fact]
    public async Task CreateSessionAsync_TwoCallsRefusedWithOneExpiredToken_RefreshFailsOnce_OneSigninServesBoth()
    {
        await using var fake = await FakeOnDemandServer.StartAsync(new FakeOnDemandOptions { Quiet = true });
        fake.AddAccount("pair@example.com", "pw");
        using var http = NewHttp();
        var client = new OnDemandClient(http, new GatewayOptions { OnDemandApiBase = fake.BaseUrl.ToString(), OnDemandAuthBase = fake.BaseUrl.ToString() },
            NullLogger<OnDemandClient>.Instance);
        var account = new CredentialState(new CredentialOptions(CredentialKind.Account, null, "pair@example.com", "pw"), 0);
        Assert.True((await client.CreateSessionAsync(account, CancellationToken.None)).IsSuccess);
        fake.ExpireAccessTokens();
        fake.RevokeRefreshTokens();

        // Both calls go out with the expired token; the first renewal's refresh fails, it signs in, and the
        // other call, refused with the same old token, takes the new one instead of renewing it again.
        var results = await Task.WhenAll(client.CreateSessionAsync(account, CancellationToken.None), client.CreateSessionAsync(account, CancellationToken.None))
            .WaitAsync(RawServer.Timeout);

        Assert.All(results, r => Assert.True(r.IsSuccess, r.Error?.ToString()));
        Assert.Equal(1, fake.RefreshCount);
        Assert.Equal(2, fake.SigninCount);
    }

    [Fact]
    public async Task CreateSessionAsync_AfterATransientSigninFailure_TheNextCallSignsIn()
    {
        using var server = new RawServer();
        using var http = NewHttp();
        var client = NewClient(http, server);
        var account = Account();

        var first = client.CreateSessionAsync(account, CancellationToken.None);
        using var connection = await server.AcceptAsync();
        Assert.Equal(SigninLine, (await connection.ReadRequestAsync()).RequestLine);
        await connection.WriteAsync(RawReplies.Json(503, "Service Unavailable", """{"message":"busy","errorCode":"resource_unavailable"}"""));
        Assert.Equal(UpstreamErrorKind.ServerError, (await first.WaitAsync(RawServer.Timeout)).Error?.Kind);

        var second = client.CreateSessionAsync(account, CancellationToken.None);
        Assert.Equal(SigninLine, (await connection.ReadRequestAsync()).RequestLine);
        await connection.WriteAsync(RawReplies.SignedIn("token-1", "refresh-1"));
        Assert.Equal("Bearer token-1", (await connection.ReadRequestAsync()).Header("Authorization"));
        await connection.WriteAsync(RawReplies.SessionCreated("s-1"));

        Assert.Equal("s-1", (await second.WaitAsync(RawServer.Timeout)).Value);
    }

    [Fact]
    public async Task CreateSessionAsync_AfterARefusedSignin_NoCallSignsInAgainUntilTheAccountIsReprobed()
    {
        using var server = new RawServer();
        using var http = NewHttp();
        var client = NewClient(http, server);
        var account = Account();

        var first = client.CreateSessionAsync(account, CancellationToken.None);
        using var connection = await server.AcceptAsync();
        Assert.Equal(SigninLine, (await connection.ReadRequestAsync()).RequestLine);
        await connection.WriteAsync(RawReplies.Json(401, "Unauthorized", """{"message":"Invalid email or password.","errorCode":"unauthenticated"}"""));
        Assert.Equal(UpstreamErrorKind.Unauthenticated, (await first.WaitAsync(RawServer.Timeout)).Error?.Kind);

        // A request already holding the account when the refusal came: the refusal, no second login.
        var late = await client.CreateSessionAsync(account, CancellationToken.None).WaitAsync(RawServer.Timeout);
        Assert.Equal(UpstreamErrorKind.Unauthenticated, late.Error?.Kind);
        Assert.False(connection.HasUnreadBytes, "the refused password was tried again");

        // The pool re-probes the account after its quarantine: that probe signs in again.
        var now = DateTimeOffset.UtcNow;
        account.MarkInvalid(now);
        Assert.True(account.TryBeginProbe(now + TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(1)));
        var probe = client.CreateSessionAsync(account, CancellationToken.None);
        Assert.Equal(SigninLine, (await connection.ReadRequestAsync()).RequestLine);
        await connection.WriteAsync(RawReplies.SignedIn("token-1", "refresh-1"));
        await connection.ReadRequestAsync();
        await connection.WriteAsync(RawReplies.SessionCreated("s-1"));
        Assert.Equal("s-1", (await probe.WaitAsync(RawServer.Timeout)).Value);
    }
}
