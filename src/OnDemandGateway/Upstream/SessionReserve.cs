using System.Collections.Concurrent;

namespace OnDemandGateway.Upstream;

/// <summary>Fresh upstream sessions created ahead of time for one credential. Each is handed out once and never
/// returned, so no two conversations ever share a session, and session creation leaves the latency path.
/// The reserve's target starts at the configured size and grows by one each time a request finds it empty while
/// creations are already under way (the load outpaces the refill), up to a ceiling.</summary>
internal sealed class SessionReserve
{
    private readonly ConcurrentQueue<string> _ready = new();
    private readonly Lock _gate = new();
    private int _count;
    private int _creating;
    private int _target;
    private bool _paused;

    public int Count => Volatile.Read(ref _count);

    /// <summary>Sessions being created right now for this reserve.</summary>
    public int Creating => Volatile.Read(ref _creating);

    /// <summary>The size the reserve is topped up to (0 until it first grows past the configured size).</summary>
    public int Target => Volatile.Read(ref _target);

    public bool TryTake(out string sessionId)
    {
        if (_ready.TryDequeue(out sessionId!))
        {
            Interlocked.Decrement(ref _count);
            return true;
        }
        return false;
    }

    public void Add(string sessionId)
    {
        _ready.Enqueue(sessionId);
        Interlocked.Increment(ref _count);
    }

    /// <summary>Sessions may have been issued to a token that is gone (e.g. after re-signin): drop them.</summary>
    public void Clear()
    {
        while (TryTake(out _)) { }
    }

    /// <summary>How many creations the caller must start now to reach the target (at least <paramref name="floor"/>);
    /// they count as under way until <see cref="EndCreation"/>. None while paused after a failure. A large reserve
    /// is refilled once a quarter of it is missing (or it ran dry), so creations go out in batches that share one
    /// round trip instead of one by one.</summary>
    public int ClaimCreations(int floor)
    {
        lock (_gate)
        {
            if (_paused) return 0;
            var target = Math.Max(_target, floor);
            var missing = target - Count - _creating;
            if (missing <= 0 || (missing < target / 4 && Count > 0)) return 0;
            _creating += missing;
            return missing;
        }
    }

    /// <summary>One claimed creation finished; a failed one pauses the refill until <see cref="Resume"/>, so a
    /// failing credential is not hammered from the background.</summary>
    public void EndCreation(string? sessionId)
    {
        if (sessionId is not null) Add(sessionId);
        lock (_gate)
        {
            _creating--;
            if (sessionId is null) _paused = true;
        }
    }

    /// <summary>A request found the reserve empty: grow the target when creations were already under way.</summary>
    public void RecordMiss(int floor, int ceiling)
    {
        lock (_gate)
        {
            if (_creating > 0 && !_paused) _target = Math.Min(Math.Max(_target, floor) + 1, ceiling);
        }
    }

    /// <summary>The credential works again (a request created a session itself): allow background refills.</summary>
    public void Resume()
    {
        lock (_gate) _paused = false;
    }
}
