using System.Collections.Concurrent;
using OnDemandGateway.Auth;
using OnDemandGateway.Configuration;

namespace OnDemandGateway.RateLimiting;

/// <summary>Per-key requests per minute in fixed, minute-aligned windows (the same windows every instance
/// computes, so a shared store can count them exactly). In-memory, for one instance.</summary>
internal sealed class FixedWindowRateLimiter(GatewayOptions options, TimeProvider time) : IRateLimitPolicy
{
    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);

    public string Name => "fixed-window-per-minute";

    public ValueTask<RateLimitDecision> AcquireAsync(ClientKey key, CancellationToken cancellationToken)
    {
        var limit = key.RateLimitPerMinute ?? options.RateLimitPerMinute;
        if (limit <= 0) return ValueTask.FromResult(RateLimitDecision.Unlimited);
        var now = time.GetUtcNow();
        var minute = now.ToUnixTimeSeconds() / 60;
        var reset = DateTimeOffset.FromUnixTimeSeconds((minute + 1) * 60);
        var window = _windows.GetOrAdd(key.Name, static _ => new Window());
        int count;
        lock (window)
        {
            if (window.Minute != minute)
            {
                window.Minute = minute;
                window.Count = 0;
            }
            count = window.Count < limit ? ++window.Count : limit + 1;
        }
        return ValueTask.FromResult(new RateLimitDecision(count <= limit, limit, Math.Max(0, limit - Math.Min(count, limit)), reset));
    }

    private sealed class Window
    {
        public long Minute = -1;
        public int Count;
    }
}
