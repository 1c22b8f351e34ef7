using Microsoft.Extensions.Logging.Abstractions;
using OnDemandGateway.Accounts;
using OnDemandGateway.Configuration;
using OnDemandGateway.Tests.Upstream.Http;
using OnDemandGateway.Upstream;
using OnDemandGateway.Upstream.Http;

namespace OnDemandGateway.Tests.Upstream;

/// <summary><see cref="OnDemandClient"/> against signin and refresh answers that break after their status line:
/// they come back as classified failures (never as exceptions), and a broken refresh is followed by one signin.</summary>
public sealed class OnDemandClientBrokenReplyTests
{
    private static OnDemandClient NewClient(UpstreamHttpClient http, RawServer server)
    {
        var origin = $"http://127.0.0.1:{server.Port}";
        return new(http, new GatewayOptions { OnDemandApiBase = origin, OnDemandAuthBase = origin }, NullLogger<OnDemandClient>.Instance);
    }

    private static UpstreamHttpClient NewHttp() => new(new UpstreamHttpOptions { Proxy = null }, TimeProvider.System);

    private static CredentialState Account() => new(new CredentialOptions(CredentialKind.Account, null, "cut@example.com", "pw"), 0);

    [Fact]
    public async Task CreateSessionAsync_SigninAnswerCutShort_IsATransportFailure()
    {
        using var server = new RawServer();
        using var http = NewHttp();
        var creating = NewClient(http, server).CreateSessionAsync(Account(), CancellationToken.None);

        using (var connection = await server.AcceptAsync())
        {
            Assert.Equal("POST /v1/auth/user/signin HTTP/1.1", (await connection.ReadRequestAsync()).RequestLine);
            await connection.WriteAsync(RawReplies.CutShort);
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
            Assert.Equal("POST /v1/auth/user/signin HTTP/1.1", (await first.ReadRequestAsync()).RequestLine);
            await first.WriteAsync(RawReplies.SignedIn("token-1", "refresh-1"));
            Assert.Equal("Bearer token-1", (await first.ReadRequestAsync()).Header("Authorization"));
            await first.WriteAsync("HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
        }
        using (var refresh = await server.AcceptAsync())
        {
            Assert.Equal("POST /v1/auth/user/refresh_token HTTP/1.1", (await refresh.ReadRequestAsync()).RequestLine);
            await refresh.WriteAsync(RawReplies.CutShort);
        }
        using var signin = await server.AcceptAsync();
        Assert.Equal("POST /v1/auth/user/signin HTTP/1.1", (await signin.ReadRequestAsync()).RequestLine);
        await signin.WriteAsync(RawReplies.SignedIn("token-2", "refresh-2"));
        Assert.Equal("Bearer token-2", (await signin.ReadRequestAsync()).Header("Authorization"));
        await signin.WriteAsync(RawReplies.SessionCreated("s-1"));
        var result = await creating.WaitAsync(RawServer.Timeout);

        Assert.True(result.IsSuccess, result.Error?.ToString());
        Assert.Equal("s-1", result.Value);
    }
}
