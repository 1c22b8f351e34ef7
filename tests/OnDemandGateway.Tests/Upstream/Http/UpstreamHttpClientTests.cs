using System.Net;
using System.Net.Sockets;
using System.Text;
using OnDemandGateway.Upstream.Http;

namespace OnDemandGateway.Tests.Upstream.Http;

public sealed class UpstreamHttpClientTests
{
    private const string Ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

    private static UpstreamHttpClient NewClient(UpstreamHttpOptions? options = null) =>
        new((options ?? new UpstreamHttpOptions()) with { Proxy = null }, TimeProvider.System);

    private static Task<UpstreamHttpResponse> Post(UpstreamHttpClient client, UpstreamOrigin origin, string path = "/x", UpstreamHeader[]? headers = null, string body = "{}", CancellationToken cancellationToken = default, bool repeatable = true) =>
        client.PostAsync(origin, path, headers ?? [], Encoding.UTF8.GetBytes(body), repeatable, cancellationToken).WaitAsync(RawServer.Timeout);

    /// <summary>One request answered with <paramref name="reply"/> on <paramref name="connection"/>, or on a newly
    /// accepted connection when null; the response body is read to its end and the response disposed.</summary>
    private static async Task<(RawRequest Request, string Body, RawServerConnection Connection)> RoundTripAsync(
        UpstreamHttpClient client, RawServer server, RawServerConnection? connection, string reply = Ok, UpstreamOrigin? origin = null, string path = "/x")
    {
        var post = Post(client, origin ?? server.Origin(), path);
        connection ??= await server.AcceptAsync();
        var request = await connection.ReadRequestAsync();
        await connection.WriteAsync(reply);
        using var response = await post;
        var body = await response.ReadBodyAsync(1024, CancellationToken.None).AsTask().WaitAsync(RawServer.Timeout);
        return (request, Encoding.UTF8.GetString(body), connection);
    }

    [Fact]
    public async Task PostAsync_Request_IsOnePostWithHostTypeLengthCustomHeadersAndBody()
    {
        using var server = new RawServer();
        using var client = NewClient();
        var post = Post(client, server.Origin("/base"), "/path", [new("X-Api-Key", "k-1"), new("X-User", "u 2")], """{"q":"hé"}""");
        using var connection = await server.AcceptAsync();
        var request = await connection.ReadRequestAsync();
        await connection.WriteAsync(Ok);
        using var response = await post;

        Assert.Equal(
            $"POST /base/path HTTP/1.1\r\nHost: 127.0.0.1:{server.Port}\r\nContent-Type: application/json\r\nContent-Length: 11\r\nX-Api-Key: k-1\r\nX-User: u 2\r\n\r\n",
            request.Head);
        Assert.Equal("""{"q":"hé"}""", Encoding.UTF8.GetString(request.Body));
        Assert.Equal(200, response.StatusCode);
    }

    [Fact]
    public async Task PostAsync_LargeBody_ArrivesWhole()
    {
        using var server = new RawServer();
        using var client = NewClient();
        var body = "[" + string.Join(',', Enumerable.Range(0, 5000)) + "]";
        var post = Post(client, server.Origin(), body: body);
        using var connection = await server.AcceptAsync();
        var request = await connection.ReadRequestAsync();
        await connection.WriteAsync(Ok);
        using var response = await post;

        Assert.Equal(body.Length.ToString(), request.Header("Content-Length"));
        Assert.Equal(body, Encoding.UTF8.GetString(request.Body));
    }

    [Theory]
    [InlineData("X-User", "u\r\nX-Injected: 1")]
    [InlineData("X-User", "u\nX-Injected: 1")]
    [InlineData("X-User", "u\rX")]
    [InlineData("X-User", "u\0")]
    [InlineData("X-User\r\nX-Injected", "1")]
    [InlineData("X-User: x", "1")]
    public async Task PostAsync_HeaderWithLineBreakOrColon_IsRefusedAndNothingIsSent(string name, string value)
    {
        using var server = new RawServer();
        using var client = NewClient();

        await Assert.ThrowsAsync<HttpRequestException>(() => Post(client, server.Origin(), headers: [new("X-Ok", "1"), new(name, value)]));

        Assert.False(server.HasPendingConnection, "a connection was opened for a request that could never be sent");
    }

    [Fact]
    public async Task PostAsync_HeaderRefused_LeavesThePooledConnectionPooled()
    {
        using var server = new RawServer();
        using var client = NewClient();
        var (_, _, first) = await RoundTripAsync(client, server, null);
        Assert.Equal(1, client.Pool.IdleCount);

        await Assert.ThrowsAsync<HttpRequestException>(() => Post(client, server.Origin(), headers: [new("X-User", "a\r\nb")]));

        Assert.Equal(1, client.Pool.IdleCount);
        var (_, body, second) = await RoundTripAsync(client, server, first);
        Assert.Equal("ok", body);
        Assert.Equal(1, server.Accepted);
        Assert.False(server.HasPendingConnection);
    }

    [Fact]
    public async Task PostAsync_KeepAlive_TwoRequestsUseOneConnection()
    {
        using var server = new RawServer();
        using var client = NewClient();

        var (_, firstBody, first) = await RoundTripAsync(client, server, null);
        Assert.Equal(1, client.Pool.IdleCount);
        var (_, secondBody, second) = await RoundTripAsync(client, server, first);

        Assert.Equal(("ok", "ok"), (firstBody, secondBody));
        Assert.Same(first, second);
        Assert.Equal(1, server.Accepted);
        Assert.False(server.HasPendingConnection);
        Assert.Equal(1, client.Pool.IdleCount);
    }

    [Fact]
    public async Task PostAsync_ConnectionCloseResponse_NextRequestOpensANewConnection()
    {
        using var server = new RawServer();
        using var client = NewClient();

        var (_, _, first) = await RoundTripAsync(client, server, null, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
        await first.WaitForClientCloseAsync();
        Assert.Equal(0, client.Pool.IdleCount);
        var (_, body, second) = await RoundTripAsync(client, server, null);

        Assert.Equal("ok", body);
        Assert.NotSame(first, second);
        Assert.Equal(2, server.Accepted);
    }

    [Fact]
    public async Task PostAsync_DifferentBasePathsOnOneHost_EachRequestGoesToItsOwnBasePath()
    {
        using var server = new RawServer();
        using var client = NewClient();

        var (api, _, connection) = await RoundTripAsync(client, server, null, origin: server.Origin("/api"), path: "/chat");
        var (auth, _, _) = await RoundTripAsync(client, server, connection, origin: server.Origin("/auth"), path: "/refresh");

        Assert.Equal("POST /api/chat HTTP/1.1", api.RequestLine);
        Assert.Equal("POST /auth/refresh HTTP/1.1", auth.RequestLine);   // on the pooled connection of the other base path
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task PostAsync_PooledConnectionClosedByServerWhileIdle_SucceedsOnANewConnection(bool repeatable)
    {
        using var server = new RawServer();
        using var client = NewClient();
        var (_, _, first) = await RoundTripAsync(client, server, null);
        first.Dispose();   // the server drops the idle keep-alive connection

        // Seen closed when rented: a request that must not be sent twice is sent once, on a new connection.
        var post = Post(client, server.Origin(), repeatable: repeatable);
        using var second = await server.AcceptAsync();
        await second.ReadRequestAsync();
        await second.WriteAsync(Ok);
        using var response = await post;
        var body = Encoding.UTF8.GetString(await response.ReadBodyAsync(100, CancellationToken.None));

        Assert.Equal("ok", body);
        Assert.Equal(2, server.Accepted);
        Assert.False(server.HasPendingConnection);
    }

    [Fact]
    public async Task PostAsync_RepeatableOnPooledConnectionClosedUnansweredAfterTheRequest_IsSentOnceMoreOnANewConnection()
    {
        using var server = new RawServer();
        using var client = NewClient();
        var (_, _, first) = await RoundTripAsync(client, server, null);

        var post = Post(client, server.Origin(), "/again", [new("X-Try", "1")], """{"n":2}""");
        var dropped = await first.ReadRequestAsync();   // the close was not yet visible: the request went out
        first.Dispose();
        using var second = await server.AcceptAsync();
        var retried = await second.ReadRequestAsync();
        await second.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nretry");
        using var response = await post;

        Assert.Equal("retry", Encoding.UTF8.GetString(await response.ReadBodyAsync(100, CancellationToken.None)));
        Assert.Equal(dropped.Head, retried.Head);
        Assert.Equal(dropped.Body, retried.Body);
        Assert.Equal(2, server.Accepted);
        Assert.False(server.HasPendingConnection);
    }

    [Fact]
    public async Task PostAsync_NotRepeatableOnPooledConnectionClosedUnansweredAfterTheRequest_ThrowsWithoutSendingItAgain()
    {
        using var server = new RawServer();
        using var client = NewClient();
        var (_, _, first) = await RoundTripAsync(client, server, null);

        var post = Post(client, server.Origin(), "/query", repeatable: false);
        await first.ReadRequestAsync();   // the close was not yet visible: the request went out, and may have been taken
        first.Dispose();

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => post);
        Assert.Equal(HttpRequestError.ResponseEnded, error.HttpRequestError);
        Assert.Equal(1, server.Accepted);
        Assert.False(server.HasPendingConnection, "a request that must not be repeated was sent again");
        Assert.Equal(0, client.Pool.IdleCount);
    }

    [Fact]
    public async Task PostAsync_FreshConnectionClosedUnanswered_ThrowsResponseEndedWithoutRetry()
    {
        using var server = new RawServer();
        using var client = NewClient();
        var post = Post(client, server.Origin());
        var connection = await server.AcceptAsync();
        await connection.ReadRequestAsync();
        connection.Dispose();

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => post);

        Assert.Equal(HttpRequestError.ResponseEnded, error.HttpRequestError);
        Assert.False(server.HasPendingConnection, "the request was sent again");
        Assert.Equal(0, client.Pool.IdleCount);
    }

    [Fact]
    public async Task PostAsync_RetryAlsoClosedUnanswered_ThrowsAfterOneRetry()
    {
        using var server = new RawServer();
        using var client = NewClient();
        var (_, _, first) = await RoundTripAsync(client, server, null);

        var post = Post(client, server.Origin());
        await first.ReadRequestAsync();
        first.Dispose();
        var second = await server.AcceptAsync();
        await second.ReadRequestAsync();
        second.Dispose();

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => post);
        Assert.Equal(HttpRequestError.ResponseEnded, error.HttpRequestError);
        Assert.Equal(2, server.Accepted);
        Assert.False(server.HasPendingConnection, "the request was sent a third time");
    }

    [Fact]
    public async Task PostAsync_PooledConnectionClosedAfterPartOfTheHead_IsNotRetried()
    {
        using var server = new RawServer();
        using var client = NewClient();
        var (_, _, first) = await RoundTripAsync(client, server, null);

        var post = Post(client, server.Origin());
        await first.ReadRequestAsync();
        await first.WriteAsync("HTTP/1.1 200 O");
        first.Dispose();

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => post);
        Assert.Equal(HttpRequestError.ResponseEnded, error.HttpRequestError);
        Assert.False(server.HasPendingConnection, "a request the server had begun to answer was sent again");
    }

    [Fact]
    public async Task PostAsync_InterimResponsesBeforeTheRealOne_AreSkipped()
    {
        using var server = new RawServer();
        using var client = NewClient();
        var post = Post(client, server.Origin());
        using var connection = await server.AcceptAsync();
        await connection.ReadRequestAsync();
        await connection.WriteAsync("HTTP/1.1 100 Continue\r\n\r\n");
        await connection.WriteAsync("HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 4\r\n\r\ndone");
        using var response = await post;

        Assert.Equal(201, response.StatusCode);
        Assert.Equal("done", Encoding.UTF8.GetString(await response.ReadBodyAsync(100, CancellationToken.None)));
    }

    [Fact]
    public async Task PostAsync_101SwitchingProtocols_IsInvalidResponse()
    {
        using var server = new RawServer();
        using var client = NewClient();
        var post = Post(client, server.Origin());
        using var connection = await server.AcceptAsync();
        await connection.ReadRequestAsync();
        await connection.WriteAsync("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n");

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => post);
        Assert.Equal(HttpRequestError.InvalidResponse, error.HttpRequestError);
        await connection.WaitForClientCloseAsync();
    }

    [Fact]
    public async Task PostAsync_HeadLongerThanTheLimit_IsInvalidResponse()
    {
        using var server = new RawServer();
        using var client = NewClient(new UpstreamHttpOptions { MaxResponseHeaderBytes = 8 * 1024 });
        var post = Post(client, server.Origin());
        using var connection = await server.AcceptAsync();
        await connection.ReadRequestAsync();
        await connection.WriteAsync("HTTP/1.1 200 OK\r\nX-Big: " + new string('a', 20_000) + "\r\nContent-Length: 0\r\n\r\n");

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => post);
        Assert.Equal(HttpRequestError.InvalidResponse, error.HttpRequestError);
    }

    [Fact]
    public async Task PostAsync_HeadLongerThanTheFirstBuffer_IsRead()
    {
        using var server = new RawServer();
        using var client = NewClient();
        var post = Post(client, server.Origin());
        using var connection = await server.AcceptAsync();
        await connection.ReadRequestAsync();
        await connection.WriteAsync("HTTP/1.1 200 OK\r\nX-Big: " + new string('a', 20_000) + "\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok");
        using var response = await post;

        Assert.Equal("text/plain", response.Head.ContentType);
        Assert.Equal("ok", Encoding.UTF8.GetString(await response.ReadBodyAsync(100, CancellationToken.None)));
    }

    [Fact]
    public async Task PostAsync_CancelledWhileWaitingForTheHead_ThrowsAndClosesTheConnection()
    {
        using var server = new RawServer();
        using var client = NewClient();
        using var cancel = new CancellationTokenSource();
        var post = Post(client, server.Origin(), cancellationToken: cancel.Token);
        using var connection = await server.AcceptAsync();
        await connection.ReadRequestAsync();

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => post);
        await connection.WaitForClientCloseAsync();
        Assert.Equal(0, client.Pool.IdleCount);
    }

    [Fact]
    public async Task PostAsync_NothingListening_IsConnectionError()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var client = NewClient();

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => Post(client, UpstreamOrigin.Parse($"http://127.0.0.1:{port}")));
        Assert.Equal(HttpRequestError.ConnectionError, error.HttpRequestError);
    }
}
