using OnDemandGateway.FakeUpstream.Scripting;

namespace OnDemandGateway.FakeUpstream;

/// <summary>A scripted answer for one call: see <see cref="FakeOnDemandServer.Enqueue"/> and <see cref="FakeOnDemandServer.Handler"/>.</summary>
public sealed class FakeReply
{
    private FakeReply(FakeReplyKind kind) => Kind = kind;

    internal FakeReplyKind Kind { get; }
    internal string Text { get; private init; } = "";
    internal (int Input, int Output)? Metrics { get; private init; }
    internal IReadOnlyList<FakeStreamStep> Steps { get; private init; } = [];
    internal int StatusCode { get; private init; }
    internal string ErrorCode { get; private init; } = "";
    internal string Message { get; private init; } = "";
    internal TimeSpan? RetryAfter { get; private init; }
    internal Task? Gate { get; private init; }

    /// <summary>A successful answer. Sync: <c>data.answer</c> (+ <c>data.metrics</c> when given). Stream: a statusLog
    /// frame, the text split into <see cref="FakeOnDemandOptions.StreamDeltas"/> fulfillment frames, a metricsLog
    /// frame (the given metrics, else the default rule) and <c>[DONE]</c>. Only valid for query calls.</summary>
    public static FakeReply Answer(string text, (int input, int output)? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new FakeReply(FakeReplyKind.Answer) { Text = text, Metrics = metrics };
    }

    /// <summary>Exactly these frames, in order. A stream that ends without <see cref="FakeStreamStep.Done"/>,
    /// <see cref="FakeStreamStep.Error"/> or <see cref="FakeStreamStep.HangForever"/> is truncated. A sync query
    /// gets the deltas joined into <c>data.answer</c> (an Error step becomes the matching HTTP error). Only valid for query calls.</summary>
    public static FakeReply Stream(params FakeStreamStep[] steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        return new FakeReply(FakeReplyKind.Stream) { Steps = [.. steps] };
    }

    /// <summary>An error answer <c>{"message","errorCode"}</c> with this status, and <c>Retry-After</c> (whole seconds, rounded up) when given.</summary>
    public static FakeReply Status(int code, string errorCode, string message, TimeSpan? retryAfter = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(code, 100);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(code, 599);
        return new FakeReply(FakeReplyKind.Status)
        {
            StatusCode = code,
            ErrorCode = errorCode ?? "",
            Message = message ?? "",
            RetryAfter = retryAfter,
        };
    }

    /// <summary>Never answers (not even headers) until the client goes away.</summary>
    public static FakeReply Hang() => new(FakeReplyKind.Hang);

    /// <summary>Aborts the connection: the client sees a transport error, not an HTTP status.</summary>
    public static FakeReply Reset() => new(FakeReplyKind.Reset);

    /// <summary><paramref name="reply"/>, once <paramref name="gate"/> has completed: the call waits without
    /// holding a thread (or until the client goes away), so a test decides when the upstream answers.</summary>
    public static FakeReply After(Task gate, FakeReply reply)
    {
        ArgumentNullException.ThrowIfNull(gate);
        ArgumentNullException.ThrowIfNull(reply);
        return new FakeReply(reply.Kind)
        {
            Text = reply.Text,
            Metrics = reply.Metrics,
            Steps = reply.Steps,
            StatusCode = reply.StatusCode,
            ErrorCode = reply.ErrorCode,
            Message = reply.Message,
            RetryAfter = reply.RetryAfter,
            Gate = reply.Gate is null ? gate : Task.WhenAll(reply.Gate, gate),
        };
    }

    public override string ToString() => Kind switch
    {
        FakeReplyKind.Status => $"Status({StatusCode}, {ErrorCode})",
        FakeReplyKind.Stream => $"Stream({string.Join(", ", Steps)})",
        _ => Kind.ToString(),
    };
}
