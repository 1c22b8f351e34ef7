using OnDemandGateway.FakeUpstream.Scripting;

namespace OnDemandGateway.FakeUpstream;

/// <summary>One step of a scripted stream: a frame to write, a wait, or how the stream ends.</summary>
public sealed class FakeStreamStep
{
    private FakeStreamStep(FakeStreamStepKind kind) => Kind = kind;

    internal FakeStreamStepKind Kind { get; }
    internal string Text { get; private init; } = "";
    internal string ErrorCode { get; private init; } = "";
    internal int Input { get; private init; }
    internal int Output { get; private init; }
    internal TimeSpan Duration { get; private init; }

    /// <summary>A <c>fulfillment</c> frame (spaced JSON) carrying this incremental piece of the answer.</summary>
    public static FakeStreamStep Delta(string text) => new(FakeStreamStepKind.Delta) { Text = text ?? "" };

    /// <summary>An <c>event:heartbeat</c> frame now.</summary>
    public static FakeStreamStep Heartbeat() => new(FakeStreamStepKind.Heartbeat);

    /// <summary>An <c>event:thinking</c> frame (<c>fulfillment_thinking</c>, <c>thinking.delta</c>): not part of the answer.</summary>
    public static FakeStreamStep Thinking(string text) => new(FakeStreamStepKind.Thinking) { Text = text ?? "" };

    /// <summary>A <c>statusLog</c> frame with this <c>currentStatusLog.statusType</c> (e.g. analyzing, fulfilling).</summary>
    public static FakeStreamStep StatusLog(string statusType) => new(FakeStreamStepKind.StatusLog) { Text = statusType ?? "" };

    /// <summary>A <c>metricsLog</c> frame with these <c>publicMetrics</c> counts.</summary>
    public static FakeStreamStep Metrics(int input, int output) => new(FakeStreamStepKind.Metrics) { Input = input, Output = output };

    /// <summary>An <c>event:message</c> frame with an eventType no client knows; it must be ignored.</summary>
    public static FakeStreamStep UnknownEvent() => new(FakeStreamStepKind.UnknownEvent);

    /// <summary>Wait; heartbeats are sent meanwhile when the wait exceeds <see cref="FakeOnDemandOptions.HeartbeatInterval"/>.</summary>
    public static FakeStreamStep Delay(TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        return new(FakeStreamStepKind.Delay) { Duration = duration };
    }

    /// <summary><c>data:[DONE]</c>, then the response ends. Later steps are ignored.</summary>
    public static FakeStreamStep Done() => new(FakeStreamStepKind.Done);

    /// <summary><c>data:[ERROR]:{"message","errorCode"}</c>, then the response ends. Later steps are ignored.</summary>
    public static FakeStreamStep Error(string message, string errorCode) =>
        new(FakeStreamStepKind.Error) { Text = message ?? "", ErrorCode = errorCode ?? "" };

    /// <summary>Ends the response cleanly without <c>[DONE]</c>: a truncated stream.</summary>
    public static FakeStreamStep Close() => new(FakeStreamStepKind.Close);

    /// <summary>Aborts the connection mid-stream (after a 50 ms pause so frames already written reach the client):
    /// the client sees a transport error while reading the body.</summary>
    public static FakeStreamStep Abort() => new(FakeStreamStepKind.Abort);

    /// <summary>Goes silent (no heartbeats either) until the client goes away: for idle-timeout tests.</summary>
    public static FakeStreamStep HangForever() => new(FakeStreamStepKind.HangForever);

    public override string ToString() => Kind switch
    {
        FakeStreamStepKind.Delta or FakeStreamStepKind.Thinking or FakeStreamStepKind.StatusLog => $"{Kind}(\"{Text}\")",
        FakeStreamStepKind.Metrics => $"Metrics({Input}, {Output})",
        FakeStreamStepKind.Delay => $"Delay({Duration.TotalMilliseconds} ms)",
        FakeStreamStepKind.Error => $"Error({ErrorCode})",
        _ => Kind.ToString(),
    };
}
