using System.Buffers;
using OnDemandGateway.Runtime;

namespace OnDemandGateway.Upstream.Http;

/// <summary>An upstream response whose head has been read. Read the body with <see cref="ReadBodyAsync"/> or
/// <see cref="Body"/>; disposing returns the connection to the pool when the body was read to its end and the
/// server keeps the connection open, and closes it otherwise (which also aborts an unfinished stream).</summary>
internal sealed class UpstreamHttpResponse : IDisposable
{
    /// <summary>How long, and how many bytes, <see cref="DisposeAfterEnd"/> reads for the rest of a body.</summary>
    internal static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(2);
    internal const int DrainLimit = 64 * 1024;

    /// <summary>First buffer for a body of unannounced length (grown by doubling).</summary>
    private const int InitialBodyBuffer = 4 * 1024;

    private readonly UpstreamConnectionPool _pool;
    private UpstreamConnection? _connection;

    public UpstreamHttpResponse(ResponseHead head, UpstreamConnection connection, UpstreamConnectionPool pool)
    {
        Head = head;
        _connection = connection;
        _pool = pool;
        Body = new ResponseBody(connection, head);
    }

    public ResponseHead Head { get; }

    public int StatusCode => Head.Status;

    public ResponseBody Body { get; }

    /// <summary>The whole body; longer than <paramref name="maxBytes"/> is an invalid response.</summary>
    public async ValueTask<byte[]> ReadBodyAsync(int maxBytes, CancellationToken cancellationToken)
    {
        if (Head.ContentLength is { } length)
        {
            if (length > maxBytes) throw ResponseHeadParser.Invalid($"a body of {length} bytes (at most {maxBytes} are read)");
            var exact = new byte[length];
            var copied = 0;
            while (copied < exact.Length) copied += await Body.ReadAsync(exact.AsMemory(copied), cancellationToken);
            return exact;
        }
        // Chunked (or until close): read into a pooled buffer, grown as needed, and copy out the exact body. A
        // chunked reply usually arrives whole, so this is one read, one copy and no garbage but the result.
        var buffer = ArrayPool<byte>.Shared.Rent(InitialBodyBuffer);
        var filled = 0;
        try
        {
            while (true)
            {
                if (filled == buffer.Length) PooledBytes.Grow(ref buffer, filled, buffer.Length * 2);
                var read = await Body.ReadAsync(buffer.AsMemory(filled), cancellationToken);
                if (read == 0) break;
                filled += read;
                if (filled > maxBytes) throw ResponseHeadParser.Invalid($"a body longer than {maxBytes} bytes");
            }
            return buffer.AsSpan(0, filled).ToArray();
        }
        finally
        {
            PooledBytes.Release(ref buffer);
        }
    }

    /// <summary>Releases the connection; a body not read to its end closes it (aborting the upstream's work).</summary>
    public void Dispose()
    {
        var connection = Interlocked.Exchange(ref _connection, null);
        if (connection is not null) Release(connection);
    }

    /// <summary>For a body whose content was read to its logical end (the stream's last event): the little that
    /// may remain (the end of the chunked framing) is read, from the buffer when it is there, else in the
    /// background within <see cref="DrainTimeout"/> and <see cref="DrainLimit"/>, so the connection is reused
    /// instead of closed, as HttpClient does when a response stream is disposed.</summary>
    public void DisposeAfterEnd()
    {
        var connection = Interlocked.Exchange(ref _connection, null);
        if (connection is null) return;
        if (Head.ConnectionClose || Body.TryFinishBuffered()) Release(connection);
        else _ = DrainAsync(connection);
    }

    private async Task DrainAsync(UpstreamConnection connection)
    {
        var scratch = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            using var timeout = new CancellationTokenSource(DrainTimeout, _pool.Time);
            for (var drained = 0; !Body.IsComplete && drained <= DrainLimit;)
            {
                var read = await Body.ReadAsync(scratch, timeout.Token);
                if (read == 0) break;
                drained += read;
            }
        }
        catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException)
        {
            // Not worth waiting for: the connection is closed below.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
            Release(connection);
        }
    }

    private void Release(UpstreamConnection connection)
    {
        if (Body.IsComplete && !Head.ConnectionClose) _pool.Return(connection);
        else connection.Dispose();
    }
}
