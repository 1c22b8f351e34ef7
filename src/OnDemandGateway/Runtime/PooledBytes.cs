using System.Buffers;

namespace OnDemandGateway.Runtime;

/// <summary>Growing and handing back a buffer rented from <see cref="ArrayPool{T}.Shared"/>, where an empty array
/// stands for "none rented": the upstream client's receive buffer, a chunked body being collected, and the SSE
/// reader's buffers all grow and are released this way.</summary>
internal static class PooledBytes
{
    /// <summary>Replaces <paramref name="buffer"/> with a rented one of at least <paramref name="size"/> bytes that
    /// starts with its first <paramref name="keep"/> bytes; the old one goes back to the pool (an empty one, the
    /// stand-in for "none rented", is not).</summary>
    public static void Grow(ref byte[] buffer, int keep, int size)
    {
        var larger = ArrayPool<byte>.Shared.Rent(size);
        buffer.AsSpan(0, keep).CopyTo(larger);
        Release(ref buffer);
        buffer = larger;
    }

    /// <summary>Returns <paramref name="buffer"/> to the pool, if one is rented, and leaves it empty.</summary>
    public static void Release(ref byte[] buffer)
    {
        if (buffer.Length > 0) ArrayPool<byte>.Shared.Return(buffer);
        buffer = [];
    }
}
