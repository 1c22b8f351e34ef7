namespace OnDemandGateway.Upstream.Http;

/// <summary>An upstream response whose head has been read. Read the body with <see cref="ReadBodyAsync"/> or
/// <see cref="Body"/>; disposing returns the connection to the pool when the body was read to its end and the
/// server keeps the connection open, and closes it otherwise (which also aborts an unfinished stream).</summary>
internal sealed class UpstreamHttpResponse : IDisposable
{
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
            var filled = 0;
            while (filled < exact.Length) filled += await Body.ReadAsync(exact.AsMemory(filled), cancellationToken);
            return exact;
        }
        var output = new MemoryStream();
        var chunk = new byte[8 * 1024];
        int read;
        while ((read = await Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (output.Length + read > maxBytes) throw ResponseHeadParser.Invalid($"a body longer than {maxBytes} bytes");
            output.Write(chunk, 0, read);
        }
        return output.ToArray();
    }

    public void Dispose()
    {
        var connection = Interlocked.Exchange(ref _connection, null);
        if (connection is null) return;
        if (Body.IsComplete && !Head.ConnectionClose) _pool.Return(connection);
        else connection.Dispose();
    }
}
