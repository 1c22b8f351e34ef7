using System.Collections.Concurrent;

namespace OnDemandGateway.Upstream;

/// <summary>Fresh upstream sessions created ahead of time for one credential. Each is handed out once and never
/// returned, so no two conversations ever share a session, and session creation leaves the latency path.</summary>
internal sealed class SessionReserve
{
    private readonly ConcurrentQueue<string> _ready = new();
    private int _count;
    private int _refilling;

    public int Count => Volatile.Read(ref _count);

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

    public bool TryBeginRefill() => Interlocked.CompareExchange(ref _refilling, 1, 0) == 0;

    public void EndRefill() => Volatile.Write(ref _refilling, 0);
}
