using System.Collections.Concurrent;

namespace OnDemandGateway.Auth;

/// <summary>Slows token guessing: after <see cref="MaxFailuresPerMinute"/> failed authentications from one
/// address (for IPv6, one /64) in a minute-aligned window, that address is refused until the window ends. Keyed by the client's address:
/// the connection's, or for a request through a trusted proxy the one that proxy forwarded
/// (<see cref="Forwarding.ForwardedClientAddress"/>), so one client's bad key does not lock out the proxy's other clients.</summary>
internal sealed class AuthFailureThrottle(TimeProvider time)
{
    public const int MaxFailuresPerMinute = 20;
    private const int PruneAbove = 10_000;
    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);

    /// <summary>Seconds until the address may try again, or null when it is not blocked.</summary>
    public int? BlockedFor(HttpContext context)
    {
        var minute = CurrentMinute(out var now);
        if (!_windows.TryGetValue(Address(context), out var window)) return null;
        lock (window)
        {
            if (window.Minute != minute || window.Failures < MaxFailuresPerMinute) return null;
        }
        return Math.Max(1, (int)((minute + 1) * 60 - now.ToUnixTimeSeconds()));
    }

    public void RecordFailure(HttpContext context)
    {
        var minute = CurrentMinute(out _);
        if (_windows.Count > PruneAbove) Prune(minute);
        var window = _windows.GetOrAdd(Address(context), static _ => new Window());
        lock (window)
        {
            if (window.Minute != minute)
            {
                window.Minute = minute;
                window.Failures = 0;
            }
            window.Failures++;
        }
    }

    private long CurrentMinute(out DateTimeOffset now)
    {
        now = time.GetUtcNow();
        return now.ToUnixTimeSeconds() / 60;
    }

    private void Prune(long minute)
    {
        foreach (var (address, window) in _windows)
        {
            if (Volatile.Read(ref window.Minute) != minute) _windows.TryRemove(address, out _);
        }
    }

    /// <summary>The key a client's failures count under: its IPv4 address, or for IPv6 its /64, which one subscriber
    /// line or host holds whole and could otherwise spend one address per guess.</summary>
    private static string Address(HttpContext context) => context.Connection.RemoteIpAddress switch
    {
        null => "unknown",
        { IsIPv4MappedToIPv6: true } mapped => mapped.MapToIPv4().ToString(),
        { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6 } v6 => Prefix64(v6),
        var v4 => v4.ToString(),
    };

    private static string Prefix64(System.Net.IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new System.Net.IPAddress(bytes).ToString() + "/64";
    }

    private sealed class Window
    {
        public long Minute = -1;
        public int Failures;
    }
}
