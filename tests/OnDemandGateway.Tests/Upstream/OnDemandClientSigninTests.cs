using Microsoft.Extensions.Logging.Abstractions;
using OnDemandGateway.Accounts;
using OnDemandGateway.Configuration;
using OnDemandGateway.FakeUpstream;
using OnDemandGateway.Tests.Upstream.Http;
using OnDemandGateway.Upstream;
using OnDemandGateway.Upstream.Http;

namespace OnDemandGateway.Tests.Upstream;

/// <summary><see cref="OnDemandClient"/>'s signin and refresh for an account: one signin for concurrent callers,
/// whose outcome (a failure too) every caller that waited for it shares; a broken answer comes back classified.</summary>
public sealed class OnDemandClientSigninTests
{
    private const string SigninLine = "POST /v1/auth/user/signin HTTP/1.1";
    private static readonly string Busy = RawReplies.Json(503, "Service Unavailable", """{"message":"busy","errorCode":"resource_unavailable"}""");
    private static readonly string Refused = RawReplies.Json(401, "Unauthorized", """{"message":"Invalid email or password.","errorCode":"unauthenticated"}""");

    private static UpstreamHttpClient NewHttp() => new(new UpstreamHttpOptions { Proxy = null }, TimeProvider.System);

    private static OnDemandClient NewClient(UpstreamHttpClient http, string origin) =>
        new(http, new GatewayOptions { OnDemandApiBase = origin, OnDemandAuthBase = origin }, NullLogger<OnDemandClient>.Instance);

    private static OnDemandClient NewClient(UpstreamHttpClient http, RawServer server) => NewClient(http, $"http://127.0.0.1:{server.Port}");

    private static CredentialState Account() => new(new CredentialOptions(CredentialKind.Account, null, "ana@example.com", "pw"), 0);

    private static async Task AnswerSigninAsync(RawServerConnection connection, string reply) =>
        Assert.Equal(SigninLine, (await connection.AnswerAsync(reply)).RequestLine);

    /// <summary>A successful signin with <paramref name="token"/>, then a session creation with it.</summary>
    private static async Task SignInAndCreateAsync(RawServerConnection connection, string token, string sessionId)
    {
        await AnswerSigninAsync(connection, RawReplies.SignedIn(token, "refresh-of-" + token));
        Assert.Equal("Bearer " + token, (await connection.AnswerAsync(RawReplies.SessionCreated(sessionId))).Header("Authorization"));
    }

    /// <summary>A first call on a new account whose signin is answered with <paramref name="reply"/> and fails as
    /// <paramref name="kind"/>; the client, the account and the connection, for the calls that follow.</summary>
    private static async Task<(OnDemandClient Client, CredentialState Account, RawServerConnection Connection)> FirstSigninFailsAsync(
        RawServer server, UpstreamHttpClient http, string reply, UpstreamErrorKind kind)
    {
        var client = NewClient(http, server);
        var account = Account();
        var first = client.CreateSessionAsync(account, CancellationToken.None);
        var connection = await server.AcceptAsync();   // disposed with the server
        await AnswerSigninAsync(connection, reply);
        Assert.Equal(kind, (await first.WaitAsync(RawServer.Timeout)).Error?.Kind);
        return (client, account, connection);
    }

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
        await AnswerSigninAsync(connection, Busy);
        var results = await Task.WhenAll(calls).WaitAsync(RawServer.Timeout);

        Assert.All(results, r => Assert.Equal(UpstreamErrorKind.ServerError, r.Error?.Kind));
        Assert.False(connection.HasUnreadBytes, "a waiting call signed in again");
        Assert.False(server.HasPendingConnection, "a waiting call signed in again on a new connection");
    }

    [Fact]
    public async Task CreateSessionAsync_AfterATransientSigninFailure_TheNextCallSignsIn()
    {
        using var server = new RawServer();
        using var http = NewHttp();
        var (client, account, connection) = await FirstSigninFailsAsync(server, http, Busy, UpstreamErrorKind.ServerError);

        var second = client.CreateSessionAsync(account, CancellationToken.None);
        await SignInAndCreateAsync(connection, "token-1", "s-1");
        Assert.Equal("s-1", (await second.WaitAsync(RawServer.Timeout)).Value);
    }

    [Fact]
    public async Task CreateSessionAsync_AfterARefusedSignin_NoCallSignsInAgainUntilTheAccountIsReprobed()
    {
        using var server = new RawServer();
        using var http = NewHttp();
        var (client, account, connection) = await FirstSigninFailsAsync(server, http, Refused, UpstreamErrorKind.Unauthenticated);

        // A request already holding the account when the refusal came: the refusal, no second login.
        var late = await client.CreateSessionAsync(account, CancellationToken.None).WaitAsync(RawServer.Timeout);
        Assert.Equal(UpstreamErrorKind.Unauthenticated, late.Error?.Kind);
        Assert.False(connection.HasUnreadBytes, "the refused password was tried again");

        // The pool re-probes the account after its quarantine: that probe signs in again.
        var now = DateTimeOffset.UtcNow;
        account.MarkInvalid(now);
        Assert.True(account.TryBeginProbe(now + TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(1)));
        var probe = client.CreateSessionAsync(account, CancellationToken.None);
        await SignInAndCreateAsync(connection, "token-1", "s-1");
        Assert.Equal("s-1", (await probe.WaitAsync(RawServer.Timeout)).Value);
    }

    [Fact]
    public async Task CreateSessionAsync_TwoCallsRefusedWithOneExpiredToken_RefreshFailsOnce_OneSigninServesBoth()
    {
        await using var fake = await FakeOnDemandServer.StartAsync(new FakeOnDemandOptions { Quiet = true });
        fake.AddAccount("ana@example.com", "pw");
        using var http = NewHttp();
        var client = NewClient(http, fake.BaseUrl.ToString());
        var account = Account();
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
    public async Task CreateSessionAsync_SigninAnswerCutShort_IsATransportFailure()
    {
        using var server = new RawServer();
        using var http = NewHttp();
        var creating = NewClient(http, server).CreateSessionAsync(Account(), CancellationToken.None);

        using (var connection = await server.AcceptAsync())
        {
            await AnswerSigninAsync(connection, RawReplies.CutShort);
        }
        var result = await creating.WaitAsync(RawServer.Timeout);

        Assert.Equal(UpstreamErrorKind.Transport, result.Error?.Kind);
        Assert.Equal(1, server.Accepted);
    }

    [Fact]
    public async Task CreateSessionAsync_RefreshAnswerCutShort_SignsInOnceAndSucceeds()
    {
        using var server = new RawServer();
        using var http = NewHttp();
        var creating = NewClient(http, server).CreateSessionAsync(Account(), CancellationToken.None);

        using (var first = await server.AcceptAsync())
        {
            await AnswerSigninAsync(first, RawReplies.SignedIn("token-1", "refresh-1"));
            var refused = await first.AnswerAsync("HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
            Assert.Equal("Bearer token-1", refused.Header("Authorization"));
        }
        using (var refresh = await server.AcceptAsync())
        {
            Assert.Equal("POST /v1/auth/user/refresh_token HTTP/1.1", (await refresh.AnswerAsync(RawReplies.CutShort)).RequestLine);
        }
        using var signin = await server.AcceptAsync();
        await SignInAndCreateAsync(signin, "token-2", "s-1");
        var result = await creating.WaitAsync(RawServer.Timeout);

        Assert.True(result.IsSuccess, result.Error?.ToString());
        Assert.Equal("s-1", result.Value);
    }
}
