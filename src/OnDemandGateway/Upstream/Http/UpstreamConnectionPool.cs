namespace OnDemandGateway.Upstream.Http;

/// <summary>Idle keep-alive connections per origin, most recently used first (warm connections stay warm, the
/// rest age out). Connections idle longer than <see cref="UpstreamHttpOptions.IdleTimeout"/> or older than
/// <see cref="UpstreamHttpOptions.ConnectionLifetime"/> are closed, on rent and by a periodic sweep.</summary>
internal sealed class UpstreamConnectionPool : IDisposable
{
    private readonly UpstreamHttpOptions _options;
    private readonly TimeProvider _time;
    private readonly Dictionary<UpstreamOrigin, Stack<UpstreamConnection>> _idle = [];
    private readonly Lock _gate = new();
    private readonly ITimer _sweep;
    private bool _disposed;

    public UpstreamConnectionPool(UpstreamHttpOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
        var period = options.IdleTimeout / 2;
        _sweep = time.CreateTimer(static state => ((UpstreamConnectionPool)state!).Sweep(), this, period, period);
    }

    public long Now => _time.GetTimestamp();

    public TimeProvider Time => _time;

    /// <summary>Idle connections across all origins.</summary>
    public int IdleCount
    {
        get
        {
            lock (_gate) return _idle.Values.Sum(stack => stack.Count);
        }
    }

    /// <summary>A usable idle connection to <paramref name="origin"/>, or null (the caller connects).</summary>
    public UpstreamConnection? Rent(UpstreamOrigin origin)
    {
        var now = Now;
        while (true)
        {
            UpstreamConnection? connection;
            lock (_gate)
            {
                if (!_idle.TryGetValue(origin, out var stack) || !stack.TryPop(out connection)) return null;
            }
            if (!Expired(connection, now) && connection.IsUsable()) return connection;
            connection.Dispose();
        }
    }

    /// <summary>Takes back a connection whose last response was read to its end.</summary>
    public void Return(UpstreamConnection connection)
    {
        var now = Now;
        if (_time.GetElapsedTime(connection.CreatedAt, now) >= _options.ConnectionLifetime)
        {
            connection.Dispose();
            return;
        }
        connection.IdleSince = now;
        connection.ReleaseBuffer();
        lock (_gate)
        {
            if (!_disposed)
            {
                if (!_idle.TryGetValue(connection.Origin, out var stack)) _idle[connection.Origin] = stack = new Stack<UpstreamConnection>();
                if (stack.Count < _options.MaxIdlePerOrigin)
                {
                    stack.Push(connection);
                    return;
                }
            }
        }
        connection.Dispose();
    }

    private bool Expired(UpstreamConnection connection, long now) =>
        _time.GetElapsedTime(connection.IdleSince, now) >= _options.IdleTimeout
        || _time.GetElapsedTime(connection.CreatedAt, now) >= _options.ConnectionLifetime;

    /// <summary>Closes expired idle connections. The oldest sit at the bottom of each stack.</summary>
    internal void Sweep()
    {
        var now = Now;
        var expired = new List<UpstreamConnection>();
        lock (_gate)
        {
            foreach (var stack in _idle.Values)
            {
                var kept = new List<UpstreamConnection>(stack.Count);
                foreach (var connection in stack.Reverse()) (Expired(connection, now) ? expired : kept).Add(connection);
                if (kept.Count == stack.Count) continue;
                stack.Clear();
                foreach (var connection in kept) stack.Push(connection);
            }
        }
        foreach (var connection in expired) connection.Dispose();
    }

    public void Dispose()
    {
        List<UpstreamConnection> all;
        lock (_gate)
        {
            _disposed = true;
            all = _idle.Values.SelectMany(stack => stack).ToList();
            _idle.Clear();
        }
        _sweep.Dispose();
        foreach (var connection in all) connection.Dispose();
    }
}
