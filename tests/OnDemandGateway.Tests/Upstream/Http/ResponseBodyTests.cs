using System.Text;
using OnDemandGateway.Upstream.Http;

namespace OnDemandGateway.Tests.Upstream.Http;

/// <summary>Body framing as the client de-frames it from a real socket; the raw server writes the exact bytes.</summary>
public sealed class ResponseBodyTests : IDisposable
{
    private readonly RawServer _server = new();
    private readonly UpstreamHttpClient _client = new(new UpstreamHttpOptions { Proxy = null }, TimeProvider.System);

    public void Dispose()
    {
        _client.Dispose();
        _server.Dispose();
    }

    /// <summary>Sends a request, answers it with <paramref name="firstBytes"/> (the head and maybe some body) and
    /// returns the response once its head is in.</summary>
    private async Task<(UpstreamHttpResponse Response, RawServerConnection Connection)> OpenAsync(string firstBytes, RawServerConnection? connection = null)
    {
        var post = _client.PostAsync(_server.Origin(), "/x", [], "{}"u8.ToArray(), repeatable: true, CancellationToken.None).WaitAsync(RawServer.Timeout);
        connection ??= await _server.AcceptAsync();
        await connection.ReadRequestAsync();
        await connection.WriteAsync(firstBytes);
        return (await post, connection);
    }

    private static async Task<string> ReadToEndAsync(ResponseBody body)
    {
        var output = new MemoryStream();
        var buffer = new byte[7];   // small reads: a chunk is handed out in several pieces
        int read;
        while ((read = await body.ReadAsync(buffer).AsTask().WaitAsync(RawServer.Timeout)) > 0) output.Write(buffer, 0, read);
        return Encoding.Latin1.GetString(output.ToArray());
    }

    private static async Task<string> ReadExactlyAsync(ResponseBody body, int count)
    {
        var buffer = new byte[count];
        await body.ReadExactlyAsync(buffer).AsTask().WaitAsync(RawServer.Timeout);
        return Encoding.Latin1.GetString(buffer);
    }

    [Fact]
    public async Task ReadAsync_SeveralChunksAlreadyReceived_ComeBackFromOneRead()
    {
        // Three SSE events, one chunk each, arrived together: the relay must see them at once to flush them together.
        var events = new[] { "data: one\n\n", "data: two\n\n", "data: three\n\n" };
        var (response, connection) = await OpenAsync("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            + string.Concat(events.Select(e => $"{e.Length:x}\r\n{e}\r\n")));
        using (response)
        {
            var buffer = new byte[4096];
            var read = await response.Body.ReadAsync(buffer).AsTask().WaitAsync(RawServer.Timeout);

            Assert.Equal(string.Concat(events), Encoding.Latin1.GetString(buffer, 0, read));
            Assert.False(response.Body.IsComplete);
            await connection.WriteAsync("0\r\n\r\n");
            Assert.Equal(0, await response.Body.ReadAsync(buffer).AsTask().WaitAsync(RawServer.Timeout));
            Assert.True(response.Body.IsComplete);
        }
    }

    [Fact]
    public async Task ReadAsync_ZeroByteReadBetweenChunks_CompletesWhenTheNextChunkArrives()
    {
        // A stream waiting between deltas waits with a zero-byte read: no receive buffer is held meanwhile.
        var (response, connection) = await OpenAsync("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\n");
        using (response)
        {
            Assert.Equal("first", await ReadExactlyAsync(response.Body, 5));
            var wait = response.Body.ReadAsync(Memory<byte>.Empty).AsTask();
            Assert.False(wait.IsCompleted);

            await connection.WriteAsync("6\r\nsecond\r\n0\r\n\r\n");

            Assert.Equal(0, await wait.WaitAsync(RawServer.Timeout));
            Assert.Equal(0, await response.Body.ReadAsync(Memory<byte>.Empty).AsTask().WaitAsync(RawServer.Timeout));
            Assert.Equal("second", await ReadToEndAsync(response.Body));
            Assert.True(response.Body.IsComplete);
        }
    }

    [Fact]
    public async Task ReadAsync_ContentLength_ReadsExactlyThatManyBytes()
    {
        var (response, _) = await OpenAsync("HTTP/1.1 200 OK\r\nContent-Length: 26\r\n\r\nabcdefghijklmnopqrstuvwxyz");
        using (response)
        {
            Assert.False(response.Body.IsComplete);
            Assert.Equal("abcdefghijklmnopqrstuvwxyz", await ReadToEndAsync(response.Body));
            Assert.True(response.Body.IsComplete);
        }
    }

    [Fact]
    public async Task ReadAsync_ContentLengthArrivingAfterTheHead_IsRead()
    {
        var (response, connection) = await OpenAsync("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n");
        using (response)
        {
            var read = ReadToEndAsync(response.Body);
            await connection.WriteAsync("01234");
            await connection.WriteAsync("56789");
            Assert.Equal("0123456789", await read);
        }
    }

    [Fact]
    public async Task ReadAsync_ChunkedSplitInsideSizeLinesAndLineEnds_IsReassembled()
    {
        var data = new string('d', 26);
        var (response, connection) = await OpenAsync("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n1");
        using (response)
        {
            Assert.Equal("abc", await ReadExactlyAsync(response.Body, 3));

            // Buffered now: "\r\n1", half of the next size line ("1A"). The read waits for the rest.
            var second = ReadExactlyAsync(response.Body, 26);
            Assert.False(second.IsCompleted);
            await connection.WriteAsync("A;x=y\r\n" + data + "\r");
            Assert.Equal(data, await second);

            // Buffered now: the CR of the chunk's CRLF; the LF comes with the next write.
            var end = response.Body.ReadAsync(new byte[16]).AsTask();
            Assert.False(end.IsCompleted);
            await connection.WriteAsync("\n0\r");
            await connection.WriteAsync("\nTrail");
            await connection.WriteAsync("er: 1\r\n\r\n");
            Assert.Equal(0, await end.WaitAsync(RawServer.Timeout));
            Assert.True(response.Body.IsComplete);
        }
    }

    [Fact]
    public async Task ReadAsync_ChunkExtensionsTrailersAndHexSizes_AreHandled()
    {
        var (response, _) = await OpenAsync(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
            "5;name=value;other\r\nhello\r\n" +
            "a \r\n, world!!!\r\n" +
            "0;last\r\nX-Checksum: 1234\r\nX-Other: x\r\n\r\n");
        using (response)
        {
            Assert.Equal("hello, world!!!", await ReadToEndAsync(response.Body));
            Assert.True(response.Body.IsComplete);
        }
    }

    [Fact]
    public async Task ReadAsync_ChunkedWithLfOnlyLineEnds_IsReadWhole()
    {
        var (response, _) = await OpenAsync("HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n4\nWiki\n5\npedia\n0\nX-T: 1\n\n");
        using (response)
        {
            Assert.Equal("Wikipedia", await ReadToEndAsync(response.Body));
            Assert.True(response.Body.IsComplete);
        }
    }

    [Fact]
    public async Task ReadAsync_ChunkedWithTrailers_LeavesTheConnectionReadyForTheNextResponse()
    {
        var (first, connection) = await OpenAsync("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\nX-T: 1\r\n\r\n");
        using (first) Assert.Equal("ab", await ReadToEndAsync(first.Body));
        Assert.Equal(1, _client.Pool.IdleCount);

        var (second, again) = await OpenAsync("HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\ncd", connection);
        using (second)
        {
            Assert.Equal(202, second.StatusCode);
            Assert.Equal("cd", await ReadToEndAsync(second.Body));
        }
        Assert.Same(connection, again);
        Assert.Equal(1, _server.Accepted);
    }

    [Fact]
    public async Task ReadAsync_NoLength_ReadsUntilTheServerCloses()
    {
        var (response, connection) = await OpenAsync("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nstart ");
        using (response)
        {
            Assert.True(response.Head.ConnectionClose);
            var read = ReadToEndAsync(response.Body);
            await connection.WriteAsync("middle ");
            await connection.WriteAsync("end");
            connection.Dispose();
            Assert.Equal("start middle end", await read);
            Assert.True(response.Body.IsComplete);
        }
        Assert.Equal(0, _client.Pool.IdleCount);
    }

    [Fact]
    public async Task ReadAsync_ServerClosesInsideAContentLengthBody_ThrowsResponseEnded()
    {
        var (response, connection) = await OpenAsync("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123");
        using (response)
        {
            connection.Dispose();
            var error = await Assert.ThrowsAsync<HttpIOException>(() => ReadToEndAsync(response.Body));
            Assert.Equal(HttpRequestError.ResponseEnded, error.HttpRequestError);
            Assert.False(response.Body.IsComplete);
        }
        Assert.Equal(0, _client.Pool.IdleCount);
    }

    [Theory]
    [InlineData("5\r\nab")]            // inside a chunk's data
    [InlineData("5\r\nabcde\r\n")]     // between chunks
    [InlineData("5\r\nabcde\r\n0\r\n")] // inside the trailers
    [InlineData("")]                   // before the first size line
    public async Task ReadAsync_ServerClosesInsideAChunkedBody_ThrowsResponseEnded(string sent)
    {
        var (response, connection) = await OpenAsync("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + sent);
        using (response)
        {
            connection.Dispose();
            var error = await Assert.ThrowsAsync<HttpIOException>(() => ReadToEndAsync(response.Body));
            Assert.Equal(HttpRequestError.ResponseEnded, error.HttpRequestError);
        }
    }

    [Theory]
    [InlineData("zz\r\nab\r\n0\r\n\r\n")]
    [InlineData("\r\nab\r\n0\r\n\r\n")]
    [InlineData("-2\r\nab\r\n0\r\n\r\n")]
    [InlineData("2\r\nabc\r\n0\r\n\r\n")]   // more data than the size said
    public async Task ReadAsync_MalformedChunk_IsInvalidResponse(string chunks)
    {
        var (response, _) = await OpenAsync("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks);
        using (response)
        {
            var error = await Assert.ThrowsAsync<HttpRequestException>(() => ReadToEndAsync(response.Body));
            Assert.Equal(HttpRequestError.InvalidResponse, error.HttpRequestError);
        }
        Assert.Equal(0, _client.Pool.IdleCount);
    }

    [Fact]
    public async Task ReadAsync_ChunkSizeLineWithoutEnd_IsInvalidResponseNotUnboundedBuffering()
    {
        var (response, _) = await OpenAsync("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1" + new string('0', 10_000));
        using (response)
        {
            var error = await Assert.ThrowsAsync<HttpRequestException>(() => ReadToEndAsync(response.Body));
            Assert.Equal(HttpRequestError.InvalidResponse, error.HttpRequestError);
        }
    }
}
