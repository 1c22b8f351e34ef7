namespace OnDemandGateway.Cluster;

/// <summary>Whether one shared piece (rate limit windows, credential state) currently works through PostgreSQL
/// or has fallen back to this instance's own memory. Transitions are reported once, so callers log once per
/// outage instead of once per request.</summary>
internal sealed class SharedComponentState(string name)
{
    private readonly Lock _gate = new();
    private volatile bool _shared;
    private string? _error = "not connected yet";
    private DateTimeOffset? _since;

    public string Name { get; } = name;

    /// <summary>True while the component works through PostgreSQL.</summary>
    public bool IsShared => _shared;

    /// <summary>Why it is not shared (null while shared). Never contains a secret: exception type and message only.</summary>
    public string? Error { get { lock (_gate) return _error; } }

    /// <summary>When the current mode began (null before the first transition).</summary>
    public DateTimeOffset? Since { get { lock (_gate) return _since; } }

    /// <returns>True when this call switched the component to local fallback (the caller logs it).</returns>
    public bool Fail(string error, DateTimeOffset now)
    {
        lock (_gate)
        {
            var switched = _shared || _since is null;
            _error = error;
            if (switched) { _shared = false; _since = now; }
            return switched;
        }
    }

    /// <returns>True when this call switched the component back to shared (the caller logs it).</returns>
    public bool Recover(DateTimeOffset now)
    {
        lock (_gate)
        {
            if (_shared) return false;
            var wasFailing = _since is not null;
            _shared = true;
            _error = null;
            _since = now;
            return wasFailing;
        }
    }
}
