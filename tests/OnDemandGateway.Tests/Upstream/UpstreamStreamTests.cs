using System.Text;
using OnDemandGateway.Tests.TestSupport;
using OnDemandGateway.Tests.Upstream.Http;
using OnDemandGateway.Upstream;
using OnDemandGateway.Upstream.Http;

namespace OnDemandGateway.Tests.Upstream;

/// <summary><see cref="UpstreamStream.Dispose"/>: after the stream's last event the end of the chunked body is
/// read (from the buffer, or in the background within <see cref="UpstreamHttpResponse.DrainTimeout"/>) and the
/// connection is reused; before it, the connection is closed.</summary>
public sealed class UpstreamStreamTests : IDisposable
{
    private const string Head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
    private const string Terminator = "0\r\n\r\n";
    private const string Delta = "event:message\ndata:{\"sessionId\":\"s1\",\"messageId\":\"m1\",\"answer\":\"Hi\",\"status\":\"processing\",\"eventIndex\":1,\"eventType\":\"fulfillment\"}\n\n";
    private const string Done = "data: [DONE]\n\n";

    private readonly RawServer _server = new();
    private readonly ManualTimeProvider _time = new();
    private readonly UpstreamHttpClient _client;
    private readonly ObservedSynchronizationContext _context = new();

    public UpstreamStreamTests() => _client = new UpstreamHttpClient(new UpstreamHttpOptions { Proxy = null }, _time);

    public void Dispose()
    {
        _client.Dispose();
        _server.Dispose();
    }

    private static string Chunk(string data) => $"{Encoding.UTF8.GetByteCount(data):x}\r\n{data}\r\n";

    private async Task<(UpstreamStream Stream, RawServerConnection Connection)> OpenAsync(string firstBytes)
    {
        var post = _client.PostAsync(_server.Origin(), "/query", [], "{}"u8.ToArray(), repeatable: true, CancellationToken.None).WaitAsync(RawServer.Timeout);
        var connection = await _server.AcceptAsync();
        await connection.ReadRequestAsync();
        await connection.WriteAsync(firstBytes);
        return (new UpstreamStream(await post), connection);
    }

    private static async Task<List<UpstreamEventKind>> ReadToEndAsync(UpstreamStream stream)
    {
        var kinds = new List<UpstreamEventKind>();
        UpstreamEvent next;
        do
        {
            next = await stream.ReadAsync(CancellationToken.None).AsTask().WaitAsync(RawServer.Timeout);
            kinds.Add(next.Kind);
        }
        while (next.Kind is not (UpstreamEventKind.Done or UpstreamEventKind.Error or UpstreamEventKind.Truncated));
        return kinds;
    }

    /// <summary>The next request goes out on <paramref name="connection"/>: no new connection is made.</summary>
    private async Task AssertNextRequestReusesAsync(RawServerConnection connection)
    {
        var post = _client.PostAsync(_server.Origin(), "/next", [], "{}"u8.ToArray(), repeatable: true, CancellationToken.None).WaitAsync(RawServer.Timeout);
        Assert.Equal("POST /next HTTP/1.1", (await connection.ReadRequestAsync()).RequestLine);
        await connection.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        using var response = await post;
        Assert.Equal("ok", Encoding.UTF8.GetString(await response.ReadBodyAsync(100, CancellationToken.None)));
        Assert.Equal(1, _server.Accepted);
        Assert.False(_server.HasPendingConnection);
    }

    [Fact]
    public async Task Dispose_AfterDone_WithTheTerminatingChunkBuffered_ReturnsTheConnectionAtOnce()
    {
        var (stream, connection) = await OpenAsync(Head + Chunk(Delta) + Chunk(Done) + Terminator);

        Assert.Equal([UpstreamEventKind.Delta, UpstreamEventKind.Done], await ReadToEndAsync(stream));
        stream.Dispose();

        Assert.Equal(1, _client.Pool.IdleCount);
        await AssertNextRequestReusesAsync(connection);
    }

    [Fact]
    public async Task Dispose_AfterDone_TerminatingChunkArrivesAfterDispose_IsDrainedInTheBackgroundAndTheConnectionReused()
    {
        var (stream, connection) = await OpenAsync(Head + Chunk(Delta) + Chunk(Done));
        Assert.Equal([UpstreamEventKind.Delta, UpstreamEventKind.Done], await ReadToEndAsync(stream));

        _context.Run(stream.Dispose);
        Assert.Equal(0, _client.Pool.IdleCount);   // still waiting for the end of the body
        _time.Advance(UpstreamHttpResponse.DrainTimeout - TimeSpan.FromMilliseconds(100));
        await connection.WriteAsync(Terminator);
        await _context.WhenAsync(() => _client.Pool.IdleCount == 1).WaitAsync(RawServer.Timeout);

        await AssertNextRequestReusesAsync(connection);
    }

    [Fact]
    public async Task Dispose_AfterDone_TerminatingChunkNeverArrives_ClosesTheConnectionAfterTheDrainTimeout()
    {
        var (stream, connection) = await OpenAsync(Head + Chunk(Delta) + Chunk(Done));
        Assert.Equal([UpstreamEventKind.Delta, UpstreamEventKind.Done], await ReadToEndAsync(stream));

        _context.Run(stream.Dispose);
        _time.Advance(UpstreamHttpResponse.DrainTimeout);

        await connection.WaitForClientCloseAsync();
        Assert.Equal(0, _client.Pool.IdleCount);
    }

    [Fact]
    public async Task Dispose_AfterDone_MoreThanTheDrainLimitStillToCome_ClosesTheConnection()
    {
        var (stream, connection) = await OpenAsync(Head + Chunk(Delta) + Chunk(Done));
        Assert.Equal([UpstreamEventKind.Delta, UpstreamEventKind.Done], await ReadToEndAsync(stream));

        _context.Run(stream.Dispose);
        // More than the drain limit of body still to come, and no end in sight (the drain timeout never fires:
        // this test's clock does not move).
        await connection.WriteAsync(Chunk(new string('x', UpstreamHttpResponse.DrainLimit + 16 * 1024)));

        await connection.WaitForClientCloseAsync();
        Assert.Equal(0, _client.Pool.IdleCount);
    }

    [Fact]
    public async Task Dispose_BeforeDone_ClosesTheConnection()
    {
        var (stream, connection) = await OpenAsync(Head + Chunk(Delta));
        Assert.Equal(UpstreamEventKind.Delta, (await stream.ReadAsync(CancellationToken.None).AsTask().WaitAsync(RawServer.Timeout)).Kind);

        stream.Dispose();

        await connection.WaitForClientCloseAsync();
        Assert.Equal(0, _client.Pool.IdleCount);
    }

    [Fact]
    public async Task Dispose_AfterAnInBandError_ReusesTheConnection()
    {
        const string error = "data: [ERROR]:{\"errorCode\":\"rate_limited\",\"message\":\"slow down\"}\n\n";
        var (stream, connection) = await OpenAsync(Head + Chunk(Delta) + Chunk(error) + Terminator);

        Assert.Equal([UpstreamEventKind.Delta, UpstreamEventKind.Error], await ReadToEndAsync(stream));
        stream.Dispose();

        Assert.Equal(1, _client.Pool.IdleCount);
        await AssertNextRequestReusesAsync(connection);
    }

    [Fact]
    public async Task Dispose_AfterDone_ResponseSaidConnectionClose_ClosesTheConnection()
    {
        var (stream, connection) = await OpenAsync(Head.Replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n") + Chunk(Done) + Terminator);

        Assert.Equal([UpstreamEventKind.Done], await ReadToEndAsync(stream));
        stream.Dispose();

        await connection.WaitForClientCloseAsync();
        Assert.Equal(0, _client.Pool.IdleCount);
    }
}
