namespace OnDemandGateway.Runtime;

/// <summary>
/// Ids for requests, completions and upstream users without a call into the system's random source per request:
/// a random 64-bit seed per process plus a counter, passed through a bijective mixer (SplitMix64's finaliser), so
/// ids never repeat within a process, look random (they do not reveal the gateway's request volume), and two
/// processes collide only with 64-bit-random odds. Usage records are keyed by these ids, so they must not repeat.
/// <para>The seed comes from <see cref="Guid.NewGuid"/> (on Linux the kernel's random source through the runtime's
/// own native layer): <c>RandomNumberGenerator</c> would load OpenSSL, ~5 MB of resident memory in a gateway that
/// otherwise never needs it. These ids are not secrets.</para>
/// </summary>
internal static class UniqueIds
{
    private static readonly ulong Seed = NewSeed();
    private static long _counter;

    /// <summary>16 lower-case hex characters.</summary>
    public static string Next() => Format(Mix(Seed + (ulong)Interlocked.Increment(ref _counter)));

    internal static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9UL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebUL;
        return z ^ (z >> 31);
    }

    /// <summary>64 random bits from a version-4 GUID's 122: its halves folded with a rotation, so the six fixed
    /// version and variant bits do not line up.</summary>
    private static ulong NewSeed()
    {
        Span<byte> bytes = stackalloc byte[16];
        Guid.NewGuid().TryWriteBytes(bytes);
        return BitConverter.ToUInt64(bytes[..8]) ^ ulong.RotateLeft(BitConverter.ToUInt64(bytes[8..]), 29);
    }

    private static string Format(ulong value) => string.Create(16, value, static (span, v) => v.TryFormat(span, out _, "x16"));
}
