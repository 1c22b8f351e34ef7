using System.Text;
using OnDemandGateway.Upstream.Http;

namespace OnDemandGateway.Tests.Upstream.Http;

public sealed class UpstreamHttpResponseTests : IDisposable
{
    private readonly RawServer _server = new();
    private readonly UpstreamHttpClient _client = new(new UpstreamHttpOptions { Proxy = null }, TimeProvider.System);

    public void Dispose()
    {
        _client.Dispose();
        _server.Dispose();
    }

    private async Task<(UpstreamHttpResponse Response, RawServerConnection Connection)> OpenAsync(string reply)
    {
        var post = _client.PostAsync(_server.Origin(), "/x", [], "{}"u8.ToArray(), repeatable: true, CancellationToken.None).WaitAsync(RawServer.Timeout);
        var connection = await _server.AcceptAsync();
        await connection.ReadRequestAsync();
        await connection.WriteAsync(reply);
        return (await post, connection);
    }

    private static Task<byte[]> ReadBody(UpstreamHttpResponse response, int maxBytes) =>
        response.ReadBodyAsync(maxBytes, CancellationToken.None).AsTask().WaitAsync(RawServer.Timeout);

    [Fact]
    public async Task ReadBodyAsync_ContentLength_ReturnsTheBody()
    {
        var (response, _) = await OpenAsync("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}");
        using (response)
        {
            Assert.Equal("{\"ok\":true}", Encoding.UTF8.GetString(await ReadBody(response, 11)));
            Assert.Equal("application/json", response.Head.ContentType);
        }
    }

    [Fact]
    public async Task ReadBodyAsync_ContentLengthOverTheMaximum_IsInvalidResponse()
    {
        var (response, connection) = await OpenAsync("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n{\"ok\":true}");
        using (response)
        {
            var error = await Assert.ThrowsAsync<HttpRequestException>(() => ReadBody(response, 10));
            Assert.Equal(HttpRequestError.InvalidResponse, error.HttpRequestError);
        }
        await connection.WaitForClientCloseAsync();
        Assert.Equal(0, _client.Pool.IdleCount);
    }

    [Fact]
    public async Task ReadBodyAsync_ChunkedOverTheMaximum_IsInvalidResponse()
    {
        var (response, _) = await OpenAsync("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n6\r\nghijkl\r\n0\r\n\r\n");
        using (response)
        {
            var error = await Assert.ThrowsAsync<HttpRequestException>(() => ReadBody(response, 11));
            Assert.Equal(HttpRequestError.InvalidResponse, error.HttpRequestError);
        }
        // Both chunks arrived in one read, so the body was taken to its end: the connection is clean and kept.
        Assert.Equal(1, _client.Pool.IdleCount);
    }

    [Fact]
    public async Task ReadBodyAsync_ChunkedAtTheMaximum_ReturnsTheBody()
    {
        var (response, _) = await OpenAsync("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n6\r\nghijkl\r\n0\r\n\r\n");
        using (response) Assert.Equal("abcdefghijkl", Encoding.UTF8.GetString(await ReadBody(response, 12)));
        Assert.Equal(1, _client.Pool.IdleCount);
    }

    [Fact]
    public async Task ReadBodyAsync_ChunkedBodyOfManyKilobytes_ComesBackWholeAndInOrder()
    {
        // Larger than the first pooled buffer, in chunks of uneven size: the buffer grows and nothing is lost.
        var expected = new StringBuilder();
        var reply = new StringBuilder("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        for (var i = 0; i < 40; i++)
        {
            var chunk = new string((char)('a' + i % 26), 100 + i * 37);
            expected.Append(chunk);
            reply.Append($"{chunk.Length:x}\r\n{chunk}\r\n");
        }
        reply.Append("0\r\n\r\n");
        var (response, _) = await OpenAsync(reply.ToString());
        using (response) Assert.Equal(expected.ToString(), Encoding.UTF8.GetString(await ReadBody(response, expected.Length)));
        Assert.Equal(1, _client.Pool.IdleCount);
    }

    [Fact]
    public async Task ReadBodyAsync_CloseDelimitedOverTheMaximum_IsInvalidResponse()
    {
        var (response, connection) = await OpenAsync("HTTP/1.1 200 OK\r\n\r\n" + new string('x', 100));
        connection.Dispose();
        using (response)
        {
            var error = await Assert.ThrowsAsync<HttpRequestException>(() => ReadBody(response, 99));
            Assert.Equal(HttpRequestError.InvalidResponse, error.HttpRequestError);
        }
    }

    [Fact]
    public async Task Dispose_AfterTheWholeBody_ReturnsTheConnectionToThePool()
    {
        var (response, _) = await OpenAsync("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        await ReadBody(response, 100);
        Assert.Equal(0, _client.Pool.IdleCount);

        response.Dispose();
        response.Dispose();

        Assert.Equal(1, _client.Pool.IdleCount);
    }

    [Fact]
    public async Task Dispose_NoBodyStatus_ReturnsTheConnectionWithoutReading()
    {
        var (response, _) = await OpenAsync("HTTP/1.1 204 No Content\r\n\r\n");
        response.Dispose();
        Assert.Equal(1, _client.Pool.IdleCount);
    }

    [Fact]
    public async Task Dispose_BodyNotReadToItsEnd_ClosesTheConnectionAndTheNextRequestOpensAnother()
    {
        var (response, connection) = await OpenAsync("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789");
        var partial = new byte[4];
        await response.Body.ReadExactlyAsync(partial).AsTask().WaitAsync(RawServer.Timeout);

        response.Dispose();

        await connection.WaitForClientCloseAsync();
        Assert.Equal(0, _client.Pool.IdleCount);
        var (next, _) = await OpenAsync("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        next.Dispose();
        Assert.Equal(2, _server.Accepted);
    }

    [Fact]
    public async Task Dispose_WholeBodyButConnectionClose_ClosesTheConnection()
    {
        var (response, connection) = await OpenAsync("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok");
        await ReadBody(response, 100);

        response.Dispose();

        await connection.WaitForClientCloseAsync();
        Assert.Equal(0, _client.Pool.IdleCount);
    }

    [Fact]
    public async Task Dispose_Http10KeepAlive_ReturnsTheConnection()
    {
        var (response, _) = await OpenAsync("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok");
        await ReadBody(response, 100);
        response.Dispose();
        Assert.Equal(1, _client.Pool.IdleCount);
    }
}
