using OnDemandGateway.Upstream.Http;

namespace OnDemandGateway.Upstream;

/// <summary>An accepted upstream stream (200 text/event-stream). Disposing it before the stream's last event closes
/// the upstream connection, which aborts the upstream request; after it, the connection is reused.</summary>
internal sealed class UpstreamStream(UpstreamHttpResponse response) : IDisposable
{
    private readonly UpstreamEventReader _reader = new(response.Body);

    public ValueTask<UpstreamEvent> ReadAsync(CancellationToken cancellationToken) => _reader.ReadAsync(cancellationToken);

    /// <summary>The next event if it has already arrived; false when reading it would wait on the network.</summary>
    public bool TryReadBuffered(out UpstreamEvent next) => _reader.TryReadBuffered(out next);

    public void Dispose()
    {
        // After the last event the connection is kept for the next request; before it, closing it is what
        // tells the upstream to stop generating.
        if (_reader.Finished) response.DisposeAfterEnd();
        else response.Dispose();
        _reader.Dispose();
    }
}
