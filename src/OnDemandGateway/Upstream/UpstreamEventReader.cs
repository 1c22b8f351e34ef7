using System.Buffers;
using System.Text;
using System.Text.Json;
using OnDemandGateway.Runtime;

namespace OnDemandGateway.Upstream;

/// <summary>Parses the upstream's server-sent events (<c>event:</c>/<c>data:</c> with or without a space,
/// LF or CRLF) into <see cref="UpstreamEvent"/>s. Frames are parsed as JSON, never matched as strings.</summary>
internal sealed class UpstreamEventReader : IDisposable
{
    // Small to start (a frame is ~200 bytes) and doubled on demand, and handed back whenever no part of a frame
    // is held while the reader waits for the network: 2,000 streams waiting between deltas hold none.
    private const int InitialBufferSize = 4 * 1024;
    private const int InitialDataSize = 1024;
    private static ReadOnlySpan<byte> DataField => "data:"u8;
    private static ReadOnlySpan<byte> EventField => "event:"u8;
    private static ReadOnlySpan<byte> DoneMarker => "[DONE]"u8;
    private static ReadOnlySpan<byte> ErrorMarker => "[ERROR]"u8;

    private readonly Stream _stream;
    private byte[] _buffer = [];
    private int _start;
    private int _end;
    private byte[] _data = [];
    private int _dataLength;
    private bool _hasData;
    private FrameKind _frameKind;
    private bool _finished;

    private enum FrameKind { Message, Heartbeat, Thinking, Other }

    /// <summary>The <c>eventType</c>s the relay acts on, matched on the raw bytes (no string per event).</summary>
    private enum EventType { Other, Fulfillment, MetricsLog }

    public UpstreamEventReader(Stream stream) => _stream = stream;

    /// <summary>The stream's last event ([DONE], [ERROR] or the end of the stream) has been returned.</summary>
    public bool Finished => _finished;

    public async ValueTask<UpstreamEvent> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (TryReadBuffered(out var next)) return next;
            if (!await FillAsync(cancellationToken))
            {
                // End of stream: a final frame without its blank line still counts; otherwise this is a truncation.
                if (_end > _start) ReadField(_buffer.AsSpan(_start, _end - _start).TrimEnd((byte)'\r'));
                _start = _end;
                if (_hasData)
                {
                    var last = Dispatch();
                    if (last.Kind is UpstreamEventKind.Done or UpstreamEventKind.Error) return last;
                }
                _finished = true;
                return new UpstreamEvent(UpstreamEventKind.Truncated);
            }
        }
    }

    /// <summary>The next event when it is already complete in the buffer, without any I/O. False means the
    /// next <see cref="ReadAsync"/> has to wait for the network (the relay flushes its output before that).</summary>
    public bool TryReadBuffered(out UpstreamEvent next)
    {
        if (_finished)
        {
            next = new UpstreamEvent(UpstreamEventKind.Truncated);
            return true;
        }
        while (true)
        {
            var newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (newline < 0)
            {
                next = default;
                return false;
            }
            var line = _buffer.AsSpan(_start, newline);
            _start += newline + 1;
            if (line.Length > 0 && line[^1] == (byte)'\r') line = line[..^1];
            if (line.IsEmpty)
            {
                if (_hasData)
                {
                    next = Dispatch();
                    return true;
                }
                _frameKind = FrameKind.Message;
                continue;
            }
            ReadField(line);
        }
    }

    private void ReadField(ReadOnlySpan<byte> line)
    {
        if (line.StartsWith(DataField))
        {
            var value = TrimOneSpace(line[DataField.Length..]);
            AppendData(value);
        }
        else if (line.StartsWith(EventField))
        {
            var name = TrimOneSpace(line[EventField.Length..]);
            _frameKind = name.SequenceEqual("message"u8) ? FrameKind.Message
                : name.SequenceEqual("heartbeat"u8) ? FrameKind.Heartbeat
                : name.SequenceEqual("thinking"u8) ? FrameKind.Thinking
                : FrameKind.Other;
        }
        // Comments (":...") and id:/retry: fields carry nothing we use.
    }

    private static ReadOnlySpan<byte> TrimOneSpace(ReadOnlySpan<byte> value) =>
        value.Length > 0 && value[0] == (byte)' ' ? value[1..] : value;

    private void AppendData(ReadOnlySpan<byte> value)
    {
        var extra = _hasData ? 1 : 0;
        EnsureDataCapacity(_dataLength + value.Length + extra);
        if (_hasData) _data[_dataLength++] = (byte)'\n';
        value.CopyTo(_data.AsSpan(_dataLength));
        _dataLength += value.Length;
        _hasData = true;
    }

    private UpstreamEvent Dispatch()
    {
        var data = _data.AsSpan(0, _dataLength);
        var kind = _frameKind;
        _dataLength = 0;
        _hasData = false;
        _frameKind = FrameKind.Message;

        if (data.SequenceEqual(DoneMarker))
        {
            _finished = true;
            return new UpstreamEvent(UpstreamEventKind.Done);
        }
        if (data.StartsWith(ErrorMarker))
        {
            _finished = true;
            return new UpstreamEvent(UpstreamEventKind.Error, Error: ParseError(data[ErrorMarker.Length..]));
        }
        return kind switch
        {
            FrameKind.Heartbeat => new UpstreamEvent(UpstreamEventKind.Heartbeat),
            FrameKind.Message => ParseMessage(data),
            _ => new UpstreamEvent(UpstreamEventKind.Ignored),
        };
    }

    private static UpstreamEvent ParseMessage(ReadOnlySpan<byte> json)
    {
        var eventType = EventType.Other;
        string? answer = null;
        TokenMetrics? metrics = null;
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return new UpstreamEvent(UpstreamEventKind.Ignored);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("eventType"u8))
                {
                    reader.Read();
                    eventType = reader.TokenType != JsonTokenType.String ? EventType.Other
                        : reader.ValueTextEquals("fulfillment"u8) ? EventType.Fulfillment
                        : reader.ValueTextEquals("metricsLog"u8) ? EventType.MetricsLog
                        : EventType.Other;
                }
                else if (reader.ValueTextEquals("answer"u8))
                {
                    reader.Read();
                    answer = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else if (reader.ValueTextEquals("publicMetrics"u8))
                {
                    reader.Read();
                    metrics = ReadMetrics(ref reader);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            return new UpstreamEvent(UpstreamEventKind.Ignored);
        }
        return eventType switch
        {
            EventType.Fulfillment when !string.IsNullOrEmpty(answer) => new UpstreamEvent(UpstreamEventKind.Delta, answer),
            EventType.MetricsLog when metrics is not null => new UpstreamEvent(UpstreamEventKind.Metrics, Metrics: metrics),
            _ => new UpstreamEvent(UpstreamEventKind.Ignored),
        };
    }

    /// <summary>Reads <c>{"inputTokens":n,"outputTokens":n,...}</c> at the reader's StartObject.</summary>
    internal static TokenMetrics? ReadMetrics(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }
        int? input = null, output = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isInput = reader.ValueTextEquals("inputTokens"u8);
            var isOutput = !isInput && reader.ValueTextEquals("outputTokens"u8);
            reader.Read();
            if ((isInput || isOutput) && reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var value) && value >= 0)
            {
                if (isInput) input = (int)value; else output = (int)value;
            }
            else
            {
                reader.Skip();
            }
        }
        return input is { } i && output is { } o ? new TokenMetrics(i, o) : null;
    }

    private static UpstreamError ParseError(ReadOnlySpan<byte> rest)
    {
        if (rest.Length > 0 && rest[0] == (byte)':') rest = rest[1..];
        rest = rest.TrimStart((byte)' ');
        string message = "the upstream reported an error in the stream";
        string? code = null;
        try
        {
            using var document = JsonDocument.Parse(rest.ToArray());
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                if (document.RootElement.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String) message = m.GetString()!;
                if (document.RootElement.TryGetProperty("errorCode", out var c) && c.ValueKind == JsonValueKind.String) code = c.GetString();
            }
        }
        catch (JsonException)
        {
            if (!rest.IsEmpty) message = Encoding.UTF8.GetString(rest.Length > 500 ? rest[..500] : rest);
        }
        return new UpstreamError(UpstreamErrorKind.StreamError, null, code, message);
    }

    private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_start == _end && !_hasData)
        {
            // Nothing of a frame is held: wait for the network without buffers (a zero-byte read, which the
            // upstream body passes down to its socket), then rent them again.
            _start = _end = 0;
            PooledBytes.Release(ref _buffer);
            PooledBytes.Release(ref _data);
            _ = await _stream.ReadAsync(Memory<byte>.Empty, cancellationToken);
        }
        if (_buffer.Length == 0) _buffer = ArrayPool<byte>.Shared.Rent(InitialBufferSize);
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length) PooledBytes.Grow(ref _buffer, _end, _buffer.Length * 2);
        var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
        _end += read;
        return read > 0;
    }

    private void EnsureDataCapacity(int size)
    {
        if (size <= _data.Length) return;
        PooledBytes.Grow(ref _data, _dataLength, Math.Max(size, Math.Max(InitialDataSize, _data.Length * 2)));
    }

    public void Dispose()
    {
        PooledBytes.Release(ref _buffer);
        PooledBytes.Release(ref _data);
    }
}
