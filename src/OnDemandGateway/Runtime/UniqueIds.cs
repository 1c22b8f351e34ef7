using System.Security.Cryptography;

namespace OnDemandGateway.Runtime;

/// <summary>
/// Ids for requests, completions and upstream users without a call into the system's random source per request:
/// a random 64-bit seed per process plus a counter, passed through a bijective mixer (SplitMix64's finaliser), so
/// ids never repeat within a process, look random (they do not reveal the gateway's request volume), and two
/// processes collide only with 64-bit-random odds. Usage records are keyed by these ids, so they must not repeat.
/// </summary>
internal static class UniqueIds
{
    private static readonly ulong Seed = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
    private static long _counter;

    /// <summary>16 lower-case hex characters.</summary>
    public static string Next() => Format(Mix(Seed + (ulong)Interlocked.Increment(ref _counter)));

    internal static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9UL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebUL;
        return z ^ (z >> 31);
    }

    private static string Format(ulong value) => string.Create(16, value, static (span, v) => v.TryFormat(span, out _, "x16"));
}
