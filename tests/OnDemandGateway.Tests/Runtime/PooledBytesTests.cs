using System.Buffers;
using OnDemandGateway.Runtime;

namespace OnDemandGateway.Tests.Runtime;

public sealed class PooledBytesTests
{
    [Fact]
    public void Grow_KeepsTheBytesInUse_AndIsAtLeastTheSizeAsked()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16);
        for (var i = 0; i < 16; i++) buffer[i] = (byte)(i + 1);
        var before = buffer;

        PooledBytes.Grow(ref buffer, keep: 10, size: 100);

        Assert.NotSame(before, buffer);
        Assert.True(buffer.Length >= 100, $"{buffer.Length} bytes");
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (byte)i), buffer.Take(10));
        ArrayPool<byte>.Shared.Return(buffer);
    }
}
