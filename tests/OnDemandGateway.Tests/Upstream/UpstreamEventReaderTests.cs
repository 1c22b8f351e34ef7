using System.Text;
using OnDemandGateway.Upstream;

namespace OnDemandGateway.Tests.Upstream;

public sealed class UpstreamEventReaderTests
{
    private static async Task<List<UpstreamEvent>> ReadAll(string wire, int chunk = int.MaxValue)
    {
        using var reader = new UpstreamEventReader(new ChunkedStream(Encoding.UTF8.GetBytes(wire), chunk));
        var events = new List<UpstreamEvent>();
        for (var i = 0; i < 1000; i++)
        {
            var e = await reader.ReadAsync(CancellationToken.None);
            if (e.Kind == UpstreamEventKind.Ignored) continue;
            events.Add(e);
            if (e.Kind is UpstreamEventKind.Done or UpstreamEventKind.Error or UpstreamEventKind.Truncated) break;
        }
        return events;
    }

    private const string SpecStream =
        "event:message\ndata:{\"sessionId\":\"s1\",\"messageId\":\"m1\",\"eventIndex\":1,\"eventType\":\"statusLog\",\"status\":\"processing\",\"currentStatusLog\":{\"statusType\":\"fulfilling\",\"statusMessage\":\"...\"}}\n\n" +
        "event:message\ndata:{\"sessionId\": \"s1\", \"messageId\": \"m1\", \"answer\": \"Hel\", \"status\": \"processing\", \"eventIndex\": 2, \"eventType\": \"fulfillment\"}\n\n" +
        "event:heartbeat\ndata:{\"sessionId\":\"s1\",\"messageId\":\"m1\",\"time\":\"2026-03-13T13:07:38Z\"}\n\n" +
        "event:thinking\ndata:{\"eventType\":\"fulfillment_thinking\",\"thinking\":{\"delta\":\"hmm\"},\"answer\":\"SECRET\"}\n\n" +
        "event:message\ndata:{\"sessionId\": \"s1\", \"messageId\": \"m1\", \"answer\": \"lo \\\"x\\\"\", \"status\": \"processing\", \"eventIndex\": 3, \"eventType\": \"fulfillment\"}\n\n" +
        "event:message\ndata:{\"eventType\":\"somethingNew\",\"answer\":\"NOPE\"}\n\n" +
        "event:message\ndata:{\"sessionId\":\"s1\",\"messageId\":\"m1\",\"eventIndex\":9,\"eventType\":\"metricsLog\",\"status\":\"processing\",\"publicMetrics\":{\"inputTokens\":1262,\"outputTokens\":35,\"totalTokens\":1297,\"ragTimeSec\":0.0}}\n\n" +
        "event:message\ndata:[DONE]\n\n";

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(1)]
    [InlineData(7)]
    public async Task ReadAsync_SpecStream_YieldsDeltasHeartbeatMetricsDone(int chunk)
    {
        var events = await ReadAll(SpecStream, chunk);
        Assert.Equal([UpstreamEventKind.Delta, UpstreamEventKind.Heartbeat, UpstreamEventKind.Delta, UpstreamEventKind.Metrics, UpstreamEventKind.Done], events.Select(e => e.Kind));
        Assert.Equal("Hello \"x\"", events[0].Text + events[2].Text);
        Assert.Equal(new TokenMetrics(1262, 35), events[3].Metrics);
    }

    [Fact]
    public async Task ReadAsync_SpacesAfterColonsAndCrLf_AreAccepted()
    {
        var events = await ReadAll("event: message\r\ndata: {\"eventType\":\"fulfillment\",\"answer\":\"Hi\"}\r\n\r\nevent: message\r\ndata: [DONE]\r\n\r\n");
        Assert.Equal("Hi", events[0].Text);
        Assert.Equal(UpstreamEventKind.Done, events[1].Kind);
    }

    [Fact]
    public async Task ReadAsync_ErrorFrame_IsAStreamErrorWithCodeAndMessage()
    {
        var events = await ReadAll("event:message\ndata:{\"eventType\":\"fulfillment\",\"answer\":\"par\"}\n\nevent:message\ndata:[ERROR]:{\"message\":\"Model context length exceeded\",\"errorCode\":\"context_length_exceeded\"}\n\n");
        var error = events[^1];
        Assert.Equal(UpstreamEventKind.Error, error.Kind);
        Assert.Equal(UpstreamErrorKind.StreamError, error.Error!.Kind);
        Assert.Equal("context_length_exceeded", error.Error.Code);
        Assert.Equal("Model context length exceeded", error.Error.Message);
    }

    [Fact]
    public async Task ReadAsync_CloseWithoutDone_IsTruncated()
    {
        var events = await ReadAll("event:message\ndata:{\"eventType\":\"fulfillment\",\"answer\":\"par\"}\n\n");
        Assert.Equal([UpstreamEventKind.Delta, UpstreamEventKind.Truncated], events.Select(e => e.Kind));
    }

    [Fact]
    public async Task ReadAsync_DoneWithoutTrailingBlankLine_StillCountsAsDone()
    {
        var events = await ReadAll("event:message\ndata:[DONE]");
        Assert.Equal(UpstreamEventKind.Done, Assert.Single(events).Kind);
    }

    [Fact]
    public async Task ReadAsync_MalformedJsonFrame_IsIgnoredNotFatal()
    {
        var events = await ReadAll("event:message\ndata:{broken\n\nevent:message\ndata:{\"eventType\":\"fulfillment\",\"answer\":\"ok\"}\n\nevent:message\ndata:[DONE]\n\n");
        Assert.Equal([UpstreamEventKind.Delta, UpstreamEventKind.Done], events.Select(e => e.Kind));
    }

    [Fact]
    public async Task ReadAsync_VeryLongDelta_IsReadWhole()
    {
        var big = new string('é', 50_000);
        var events = await ReadAll($"event:message\ndata:{{\"eventType\":\"fulfillment\",\"answer\":\"{big}\"}}\n\nevent:message\ndata:[DONE]\n\n", 4096);
        Assert.Equal(big, events[0].Text);
    }

    [Fact]
    public async Task ReadAsync_BetweenFramesOnly_WaitsWithAZeroByteRead()
    {
        // Waiting for the next delta holds no buffers (a zero-byte read first); half a frame is kept, so the read
        // that completes it is an ordinary one.
        var stream = new RecordingStream(
            "event:message\ndata:{\"eventType\":\"fulfillment\",\"answer\":\"Hi\"}\n\n",
            "event:message\nda",
            "ta:[DONE]\n\n");
        using var reader = new UpstreamEventReader(stream);

        Assert.Equal("Hi", (await reader.ReadAsync(CancellationToken.None)).Text);
        Assert.Equal(UpstreamEventKind.Done, (await reader.ReadAsync(CancellationToken.None)).Kind);

        Assert.Equal(["wait", "read 62", "wait", "read 16", "read 11"], stream.Reads);
    }

    /// <summary>Hands out one scripted piece per read and records each read: "wait" for a zero-byte read.</summary>
    private sealed class RecordingStream(params string[] pieces) : MemoryStream
    {
        private readonly Queue<byte[]> _pieces = new(pieces.Select(Encoding.UTF8.GetBytes));

        public List<string> Reads { get; } = [];

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (buffer.IsEmpty)
            {
                Reads.Add("wait");
                return ValueTask.FromResult(0);
            }
            if (!_pieces.TryDequeue(out var piece)) return ValueTask.FromResult(0);
            piece.CopyTo(buffer);
            Reads.Add($"read {piece.Length}");
            return ValueTask.FromResult(piece.Length);
        }
    }

    /// <summary>Hands out the bytes in fixed-size reads, as a slow network would.</summary>
    private sealed class ChunkedStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);
    }
}
