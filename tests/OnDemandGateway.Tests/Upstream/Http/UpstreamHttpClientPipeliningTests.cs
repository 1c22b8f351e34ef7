using System.Text;
using OnDemandGateway.Upstream.Http;

namespace OnDemandGateway.Tests.Upstream.Http;

/// <summary><see cref="UpstreamHttpClient.PostPipelinedAsync"/>: a batch goes out in one send on one connection,
/// replies come back in order, and an origin that answers incompletely gets one request per round trip.</summary>
public sealed class UpstreamHttpClientPipeliningTests : IDisposable
{
    private readonly RawServer _server = new();
    private readonly UpstreamHttpClient _client = new(new UpstreamHttpOptions { Proxy = null }, TimeProvider.System);

    public void Dispose()
    {
        _client.Dispose();
        _server.Dispose();
    }

    private static UpstreamRequest Request(int n) => new($"/r{n}", [new("X-N", n.ToString())], Encoding.UTF8.GetBytes($$"""{"n":{{n}}}"""));

    private static string Reply(string body, string extraHeaders = "") =>
        $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{extraHeaders}Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}";

    private Task<UpstreamReply[]> Batch(params int[] numbers) =>
        _client.PostPipelinedAsync(_server.Origin("/base"), numbers.Select(Request).ToArray(), 1024, CancellationToken.None).WaitAsync(RawServer.Timeout);

    private static void AssertRequest(RawRequest request, int n)
    {
        Assert.Equal($"POST /base/r{n} HTTP/1.1", request.RequestLine);
        Assert.Equal(n.ToString(), request.Header("X-N"));
        Assert.Equal($$"""{"n":{{n}}}""", Encoding.UTF8.GetString(request.Body));
    }

    private static void AssertReply(UpstreamReply reply, int status, string body)
    {
        Assert.Null(reply.Failure);
        Assert.Equal(status, reply.Head!.Status);
        Assert.Equal(body, Encoding.UTF8.GetString(reply.Body!));
    }

    private static void AssertEnded(UpstreamReply reply)
    {
        Assert.Null(reply.Head);
        var failure = Assert.IsType<HttpRequestException>(reply.Failure);
        Assert.Equal(HttpRequestError.ResponseEnded, failure.HttpRequestError);
    }

    /// <summary>The origin no longer pipelines: a batch of two goes out one request per round trip, the second
    /// only after the first was answered.</summary>
    private async Task AssertBatchGoesOneByOneAsync()
    {
        var batch = Batch(7, 8);
        var connection = await _server.AcceptAsync();
        AssertRequest(await connection.ReadRequestAsync(), 7);
        Assert.False(connection.HasUnreadBytes, "the second request was sent before the first was answered");
        await connection.WriteAsync(Reply("seven"));
        AssertRequest(await connection.ReadRequestAsync(), 8);
        await connection.WriteAsync(Reply("eight"));
        var replies = await batch;

        AssertReply(replies[0], 200, "seven");
        AssertReply(replies[1], 200, "eight");
        Assert.False(_server.HasPendingConnection, "the one-by-one requests did not share the pooled connection");
        Assert.Equal(1, _client.Pool.IdleCount);
    }

    [Fact]
    public async Task PostPipelinedAsync_BatchOfThree_IsReadWholeBeforeAnyReply_AndRepliesComeBackInOrderOnOnePooledConnection()
    {
        var batch = Batch(1, 2, 3);
        using var connection = await _server.AcceptAsync();

        // All three requests are there before the server writes anything (a client waiting for each reply
        // would leave the second read hanging until the server's timeout).
        AssertRequest(await connection.ReadRequestAsync(), 1);
        AssertRequest(await connection.ReadRequestAsync(), 2);
        AssertRequest(await connection.ReadRequestAsync(), 3);
        Assert.False(batch.IsCompleted);
        await connection.WriteAsync(Reply("one") + "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\ntwo\r\n0\r\n\r\n" + Reply("three"));
        var replies = await batch;

        Assert.Equal(3, replies.Length);
        AssertReply(replies[0], 200, "one");
        AssertReply(replies[1], 200, "two");
        AssertReply(replies[2], 200, "three");
        Assert.Equal(1, _server.Accepted);
        Assert.Equal(1, _client.Pool.IdleCount);
        Assert.True(_client.Pipelines(_server.Origin()));

        // The next single request rides the pooled connection.
        var post = _client.PostAsync(_server.Origin(), "/next", [], "{}"u8.ToArray(), repeatable: true, CancellationToken.None).WaitAsync(RawServer.Timeout);
        Assert.Equal("POST /next HTTP/1.1", (await connection.ReadRequestAsync()).RequestLine);
        await connection.WriteAsync(Reply("next"));
        using var response = await post;
        Assert.Equal("next", Encoding.UTF8.GetString(await response.ReadBodyAsync(100, CancellationToken.None)));
        Assert.Equal(1, _server.Accepted);
        Assert.False(_server.HasPendingConnection);
    }

    [Fact]
    public async Task PostPipelinedAsync_ServerAnswersTwoOfThreeAndCloses_KeepsTheTwo_FailsTheThird_AndLaterBatchesGoOneByOne()
    {
        var batch = Batch(1, 2, 3);
        var connection = await _server.AcceptAsync();
        for (var n = 1; n <= 3; n++) AssertRequest(await connection.ReadRequestAsync(), n);
        await connection.WriteAsync(Reply("one") + Reply("two"));
        connection.Dispose();
        var replies = await batch;

        AssertReply(replies[0], 200, "one");
        AssertReply(replies[1], 200, "two");
        AssertEnded(replies[2]);
        Assert.False(_client.Pipelines(_server.Origin()));
        Assert.False(_client.Pipelines(_server.Origin("/other")));   // the origin is the host, not the base path
        Assert.Equal(0, _client.Pool.IdleCount);

        await AssertBatchGoesOneByOneAsync();
        Assert.Equal(2, _server.Accepted);
    }

    [Fact]
    public async Task PostPipelinedAsync_TenMinutesAfterAnIncompleteBatch_PipelinesAgain()
    {
        var clock = new OnDemandGateway.Tests.TestSupport.ManualTimeProvider();
        using var client = new UpstreamHttpClient(new UpstreamHttpOptions { Proxy = null }, clock);
        Task<UpstreamReply[]> BatchOf(params int[] numbers) =>
            client.PostPipelinedAsync(_server.Origin("/base"), numbers.Select(Request).ToArray(), 1024, CancellationToken.None).WaitAsync(RawServer.Timeout);

        var first = BatchOf(1, 2);
        var connection = await _server.AcceptAsync();
        for (var n = 1; n <= 2; n++) AssertRequest(await connection.ReadRequestAsync(), n);
        await connection.WriteAsync(Reply("one"));
        connection.Dispose();
        AssertEnded((await first)[1]);

        clock.Advance(UpstreamHttpClient.PipeliningRetryAfter - TimeSpan.FromSeconds(1));
        Assert.False(client.Pipelines(_server.Origin()));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(client.Pipelines(_server.Origin()));

        // Both requests of the next batch arrive before any answer: one send again.
        var again = BatchOf(3, 4);
        var next = await _server.AcceptAsync();
        AssertRequest(await next.ReadRequestAsync(), 3);
        AssertRequest(await next.ReadRequestAsync(), 4);
        await next.WriteAsync(Reply("three") + Reply("four"));
        var replies = await again;
        AssertReply(replies[0], 200, "three");
        AssertReply(replies[1], 200, "four");
        Assert.True(client.Pipelines(_server.Origin()));
    }

    [Fact]
    public async Task PostPipelinedAsync_FirstReplySaysConnectionClose_KeepsIt_FailsTheSecond_AndLaterBatchesGoOneByOne()
    {
        var batch = Batch(1, 2);
        var connection = await _server.AcceptAsync();
        AssertRequest(await connection.ReadRequestAsync(), 1);
        AssertRequest(await connection.ReadRequestAsync(), 2);
        await connection.WriteAsync(Reply("one", "Connection: close\r\n"));
        var replies = await batch;

        AssertReply(replies[0], 200, "one");
        Assert.True(replies[0].Head!.ConnectionClose);
        AssertEnded(replies[1]);
        Assert.False(_client.Pipelines(_server.Origin()));
        await connection.WaitForClientCloseAsync();   // the connection the server gave up on is not pooled
        Assert.Equal(0, _client.Pool.IdleCount);

        await AssertBatchGoesOneByOneAsync();
        Assert.Equal(2, _server.Accepted);
    }

    [Fact]
    public async Task PostPipelinedAsync_OversizedReplyInsideTheBatch_FailsAsInvalid_AndTheOriginKeepsPipelining()
    {
        var batch = Batch(1, 2, 3);
        using var connection = await _server.AcceptAsync();
        for (var n = 1; n <= 3; n++) AssertRequest(await connection.ReadRequestAsync(), n);
        await connection.WriteAsync(Reply("one") + Reply(new string('x', 2000)) + Reply("three"));
        var replies = await batch;

        AssertReply(replies[0], 200, "one");
        var oversized = Assert.IsType<HttpRequestException>(replies[1].Failure);
        Assert.Equal(HttpRequestError.InvalidResponse, oversized.HttpRequestError);
        AssertEnded(replies[2]);   // not read: the connection is closed after a malformed answer
        Assert.True(_client.Pipelines(_server.Origin()));   // the server did pipeline; one answer was too big
        Assert.Equal(0, _client.Pool.IdleCount);
    }

    [Fact]
    public async Task PostPipelinedAsync_ErrorStatusInsideTheBatch_IsReturnedAsItsReply_AndTheRestStillArrive()
    {
        var batch = Batch(1, 2, 3);
        using var connection = await _server.AcceptAsync();
        for (var n = 1; n <= 3; n++) AssertRequest(await connection.ReadRequestAsync(), n);
        const string error = """{"errorCode":"rate_limited","message":"slow down"}""";
        await connection.WriteAsync(Reply("one")
            + $"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 7\r\nContent-Type: application/json\r\nContent-Length: {error.Length}\r\n\r\n{error}"
            + Reply("three"));
        var replies = await batch;

        AssertReply(replies[0], 200, "one");
        AssertReply(replies[1], 429, error);
        Assert.Equal("7", replies[1].Head!.RetryAfter);
        AssertReply(replies[2], 200, "three");
        Assert.True(_client.Pipelines(_server.Origin()));
        Assert.Equal(1, _client.Pool.IdleCount);
    }

    [Fact]
    public async Task PostPipelinedAsync_StalePooledConnectionClosedUnanswered_IsSentOnceMoreOnAFreshConnection()
    {
        var post = _client.PostAsync(_server.Origin(), "/warm", [], "{}"u8.ToArray(), repeatable: true, CancellationToken.None).WaitAsync(RawServer.Timeout);
        var first = await _server.AcceptAsync();
        await first.ReadRequestAsync();
        await first.WriteAsync(Reply("warm"));
        using (var response = await post) await response.ReadBodyAsync(100, CancellationToken.None);
        Assert.Equal(1, _client.Pool.IdleCount);

        var batch = Batch(1, 2);
        AssertRequest(await first.ReadRequestAsync(), 1);   // the close was not yet visible: the batch went out
        first.Dispose();
        using var second = await _server.AcceptAsync();
        AssertRequest(await second.ReadRequestAsync(), 1);
        AssertRequest(await second.ReadRequestAsync(), 2);
        await second.WriteAsync(Reply("one") + Reply("two"));
        var replies = await batch;

        AssertReply(replies[0], 200, "one");
        AssertReply(replies[1], 200, "two");
        Assert.True(_client.Pipelines(_server.Origin()));
        Assert.Equal(2, _server.Accepted);
        Assert.False(_server.HasPendingConnection, "the batch was sent a third time");
    }
}
