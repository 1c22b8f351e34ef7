namespace OnDemandGateway.Upstream;

/// <summary>An accepted upstream stream (200 text/event-stream). Disposing it aborts the upstream request.</summary>
internal sealed class UpstreamStream(HttpResponseMessage response, Stream body) : IDisposable
{
    private readonly UpstreamEventReader _reader = new(body);

    public ValueTask<UpstreamEvent> ReadAsync(CancellationToken cancellationToken) => _reader.ReadAsync(cancellationToken);

    /// <summary>The next event if it has already arrived; false when reading it would wait on the network.</summary>
    public bool TryReadBuffered(out UpstreamEvent next) => _reader.TryReadBuffered(out next);

    public void Dispose()
    {
        body.Dispose();
        response.Dispose();
        _reader.Dispose();
    }
}
