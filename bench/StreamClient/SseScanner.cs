using System.Buffers;

namespace OnDemandGateway.Bench.StreamClient;

/// <summary>Reads an OpenAI-style SSE body line by line without decoding it: notes when the first non-empty
/// <c>"content"</c> delta arrives, counts content events, and whether the last event was <c>data: [DONE]</c>.
/// Byte scanning keeps the load generator cheap, so it does not steal the core it shares with the fake.</summary>
internal sealed class SseScanner : IDisposable
{
    private static ReadOnlySpan<byte> ContentKey => "\"content\":\""u8;
    private static ReadOnlySpan<byte> Done => "[DONE]"u8;
    private static ReadOnlySpan<byte> ErrorKey => "{\"error\":"u8;

    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);

    public async Task<(long FirstToken, int Events, bool SawDone, string? Error)> ReadAsync(Stream body, long startedAt, CancellationToken cancellationToken)
    {
        int start = 0, end = 0, events = 0;
        long firstToken = 0;
        var sawDone = false;
        string? error = null;
        while (true)
        {
            if (start > 0 && start == end) start = end = 0;
            if (end == _buffer.Length)
            {
                if (start > 0)
                {
                    _buffer.AsSpan(start, end - start).CopyTo(_buffer);
                    end -= start;
                    start = 0;
                }
                else
                {
                    var bigger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
                    _buffer.AsSpan(0, end).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(_buffer);
                    _buffer = bigger;
                }
            }
            var read = await body.ReadAsync(_buffer.AsMemory(end), cancellationToken);
            if (read == 0) return (firstToken, events, sawDone, error);
            end += read;
            while (true)
            {
                var newline = _buffer.AsSpan(start, end - start).IndexOf((byte)'\n');
                if (newline < 0) break;
                var line = _buffer.AsSpan(start, newline);
                start += newline + 1;
                if (!line.StartsWith("data:"u8)) continue;
                var data = line[5..];
                if (data.Length > 0 && data[0] == (byte)' ') data = data[1..];
                if (data.Length > 0 && data[^1] == (byte)'\r') data = data[..^1];
                sawDone = data.SequenceEqual(Done);
                if (sawDone) continue;
                if (data.StartsWith(ErrorKey))
                {
                    error ??= "error event: " + System.Text.Encoding.UTF8.GetString(data[..Math.Min(data.Length, 200)]);
                    continue;
                }
                var at = data.IndexOf(ContentKey);
                if (at >= 0 && at + ContentKey.Length < data.Length && data[at + ContentKey.Length] != (byte)'"')
                {
                    events++;
                    if (firstToken == 0) firstToken = System.Diagnostics.Stopwatch.GetTimestamp() - startedAt;
                }
            }
        }
    }

    public void Dispose() => ArrayPool<byte>.Shared.Return(_buffer);
}
