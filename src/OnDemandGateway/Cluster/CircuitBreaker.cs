namespace OnDemandGateway.Cluster;

/// <summary>
/// Keeps the request path off a database that is failing: after <c>failuresToOpen</c> failures in a row the
/// breaker opens for <see cref="OpenFor"/>, and callers use their local fallback without trying. (One slow
/// answer on a loaded host is not an outage: only that caller falls back.) Once the open period has passed,
/// exactly one caller is let through as a trial (the others keep falling back); its success closes the breaker,
/// its failure opens it again at once. Time comes from <see cref="TimeProvider"/>, so tests drive it on a manual clock.
/// </summary>
internal sealed class CircuitBreaker(TimeProvider time, TimeSpan openFor, int failuresToOpen = 1)
{
    private const int Closed = 0, Open = 1, Trial = 2;
    private int _state; // starts closed: the first call tries the database
    private int _failuresInARow;
    private long _openedAt;

    public TimeSpan OpenFor { get; } = openFor;

    public bool IsClosed => Volatile.Read(ref _state) == Closed;

    /// <summary>True when the caller may try the database now (closed, or it won the single trial).</summary>
    public bool TryEnter()
    {
        var state = Volatile.Read(ref _state);
        if (state == Closed) return true;
        if (state == Trial) return false;
        if (time.GetElapsedTime(Interlocked.Read(ref _openedAt)) < OpenFor) return false;
        return Interlocked.CompareExchange(ref _state, Trial, Open) == Open;
    }

    /// <returns>True when this success closed an open breaker (the caller logs the recovery).</returns>
    public bool Succeeded()
    {
        Volatile.Write(ref _failuresInARow, 0);
        return Interlocked.Exchange(ref _state, Closed) != Closed;
    }

    /// <returns>True when this failure opened a closed breaker (the caller logs the outage once).</returns>
    public bool Failed()
    {
        if (Volatile.Read(ref _state) == Closed && Interlocked.Increment(ref _failuresInARow) < failuresToOpen) return false;
        Volatile.Write(ref _failuresInARow, 0);
        Interlocked.Exchange(ref _openedAt, time.GetTimestamp());
        return Interlocked.Exchange(ref _state, Open) == Closed;
    }
}
