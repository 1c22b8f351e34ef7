using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.IO.Pipelines;
using System.Text.Json;

namespace OnDemandGateway.FakeUpstream.Streaming;

/// <summary>Writes one OnDemand stream's frames straight into the response pipe and flushes each one, so a
/// client sees every frame as it is produced. Frames use no space after <c>event:</c>/<c>data:</c>; fulfillment
/// JSON is spaced like the real server's (Python-style <c>", "</c> / <c>": "</c>), every other frame is compact.</summary>
internal sealed class SseFrameWriter
{
    private static readonly JsonWriterOptions RawValues = new() { SkipValidation = true };

    private readonly PipeWriter _pipe;
    private readonly Utf8JsonWriter _json;
    private readonly CancellationToken _ct;
    private readonly string _sessionId;
    private readonly string _messageId;
    private readonly TimeProvider _time;
    private readonly long _started;
    private readonly byte[] _fulfillmentPrefix;
    private int _eventIndex;

    public SseFrameWriter(PipeWriter pipe, string sessionId, string messageId, TimeProvider time, CancellationToken ct)
    {
        _pipe = pipe;
        _json = new Utf8JsonWriter(pipe, RawValues);
        _sessionId = sessionId;
        _messageId = messageId;
        _time = time;
        _started = time.GetTimestamp();
        _ct = ct;

        // The part of every fulfillment frame before the answer is fixed for the stream: encode it once.
        var buffer = new ArrayBufferWriter<byte>(128);
        buffer.Write("event:message\ndata:{\"sessionId\": "u8);
        using (var w = new Utf8JsonWriter(buffer, RawValues))
        {
            w.WriteStringValue(sessionId);
            w.Flush();
            buffer.Write(", \"messageId\": "u8);
            w.Reset(buffer);
            w.WriteStringValue(messageId);
        }

        buffer.Write(", \"answer\": "u8);
        _fulfillmentPrefix = buffer.WrittenSpan.ToArray();
    }

    /// <summary>Answer pieces written so far (the default outputTokens rule counts them).</summary>
    public int Deltas { get; private set; }

    public ValueTask<bool> DeltaAsync(string text)
    {
        Deltas++;
        _pipe.Write(_fulfillmentPrefix);
        _json.Reset(_pipe);
        _json.WriteStringValue(text);
        _json.Flush();
        _pipe.Write(", \"status\": \"processing\", \"eventIndex\": "u8);
        WriteInt(++_eventIndex);
        _pipe.Write(", \"eventType\": \"fulfillment\"}\n\n"u8);
        return FlushAsync();
    }

    public ValueTask<bool> StatusLogAsync(string statusType) => MessageAsync("event:message\ndata:"u8, "statusLog", w =>
    {
        w.WriteStartObject("currentStatusLog"u8);
        w.WriteString("statusType"u8, statusType);
        w.WriteString("statusMessage"u8, $"Fake upstream is {statusType}");
        w.WriteEndObject();
    });

    public ValueTask<bool> ThinkingAsync(string text) => MessageAsync("event:thinking\ndata:"u8, "fulfillment_thinking", w =>
    {
        w.WriteStartObject("thinking"u8);
        w.WriteString("delta"u8, text);
        w.WriteEndObject();
    });

    public ValueTask<bool> UnknownEventAsync() => MessageAsync("event:message\ndata:"u8, "fakeUnknownEvent", w =>
    {
        w.WriteStartObject("payload"u8);
        w.WriteString("note"u8, "An event type clients do not know; it must be ignored.");
        w.WriteEndObject();
    });

    public ValueTask<bool> MetricsAsync(int input, int output)
    {
        var elapsed = Math.Round(_time.GetElapsedTime(_started).TotalSeconds, 3);
        return MessageAsync("event:message\ndata:"u8, "metricsLog", w =>
        {
            w.WriteStartObject("publicMetrics"u8);
            w.WriteNumber("inputTokens"u8, input);
            w.WriteNumber("outputTokens"u8, output);
            w.WriteNumber("totalTokens"u8, input + output);
            w.WriteNumber("ragTimeSec"u8, 0.0);
            w.WriteNumber("fulfillmentTimeSec"u8, elapsed);
            w.WriteNumber("totalTimeSec"u8, elapsed);
            w.WriteEndObject();
        });
    }

    public ValueTask<bool> HeartbeatAsync()
    {
        _pipe.Write("event:heartbeat\ndata:"u8);
        _json.Reset(_pipe);
        _json.WriteStartObject();
        _json.WriteString("sessionId"u8, _sessionId);
        _json.WriteString("messageId"u8, _messageId);
        _json.WriteString("time"u8, _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
        _json.WriteEndObject();
        _json.Flush();
        _pipe.Write("\n\n"u8);
        return FlushAsync();
    }

    public ValueTask<bool> DoneAsync()
    {
        _pipe.Write("event:message\ndata:[DONE]\n\n"u8);
        return FlushAsync();
    }

    public ValueTask<bool> ErrorAsync(string message, string errorCode)
    {
        _pipe.Write("event:message\ndata:[ERROR]:"u8);
        _json.Reset(_pipe);
        _json.WriteStartObject();
        _json.WriteString("message"u8, message);
        _json.WriteString("errorCode"u8, errorCode);
        _json.WriteEndObject();
        _json.Flush();
        _pipe.Write("\n\n"u8);
        return FlushAsync();
    }

    private ValueTask<bool> MessageAsync(ReadOnlySpan<byte> eventLine, string eventType, Action<Utf8JsonWriter> payload)
    {
        _pipe.Write(eventLine);
        _json.Reset(_pipe);
        _json.WriteStartObject();
        _json.WriteString("sessionId"u8, _sessionId);
        _json.WriteString("messageId"u8, _messageId);
        _json.WriteNumber("eventIndex"u8, ++_eventIndex);
        _json.WriteString("eventType"u8, eventType);
        _json.WriteString("status"u8, "processing");
        payload(_json);
        _json.WriteEndObject();
        _json.Flush();
        _pipe.Write("\n\n"u8);
        return FlushAsync();
    }

    private void WriteInt(int value)
    {
        var span = _pipe.GetSpan(11);
        Utf8Formatter.TryFormat(value, span, out var written);
        _pipe.Advance(written);
    }

    /// <returns>false when the client has gone away.</returns>
    private async ValueTask<bool> FlushAsync()
    {
        var result = await _pipe.FlushAsync(_ct);
        return !result.IsCompleted && !result.IsCanceled;
    }
}
