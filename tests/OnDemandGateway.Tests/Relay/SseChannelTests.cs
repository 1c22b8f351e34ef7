using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using OnDemandGateway.Relay;
using OnDemandGateway.Tests.TestSupport;

namespace OnDemandGateway.Tests.Relay;

public sealed class SseChannelTests
{
    private static async Task<string> Drain(Pipe pipe)
    {
        pipe.Writer.Complete();
        var result = await pipe.Reader.ReadAsync();
        var text = Encoding.UTF8.GetString(result.Buffer.ToArray());
        pipe.Reader.AdvanceTo(result.Buffer.End);
        return text;
    }

    [Fact]
    public async Task KeepAlive_AfterSilence_WritesAComment()
    {
        var time = new ManualTimeProvider();
        var pipe = new Pipe();
        using var channel = new SseChannel(pipe.Writer, time, CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(15));
        channel.KeepAlive(TimeSpan.FromSeconds(15));
        // The write happens on the channel's lock; taking the lock here waits for it to finish.
        await channel.EnterAsync();
        await channel.FlushAndExitAsync();
        Assert.Equal(": keep-alive\n\n", await Drain(pipe));
    }

    [Fact]
    public async Task KeepAlive_RightAfterAWrite_StaysQuiet()
    {
        var time = new ManualTimeProvider();
        var pipe = new Pipe();
        using var channel = new SseChannel(pipe.Writer, time, CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(10));
        await channel.EnterAsync();
        pipe.Writer.Write("data: x\n\n"u8);
        await channel.FlushAndExitAsync();
        time.Advance(TimeSpan.FromSeconds(10));
        channel.KeepAlive(TimeSpan.FromSeconds(15));
        Assert.Equal("data: x\n\n", await Drain(pipe));
    }
}
