using System.Text;
using OnDemandGateway.FakeUpstream.Hosting;
using OnDemandGateway.FakeUpstream.Protocol;
using OnDemandGateway.FakeUpstream.Scripting;

namespace OnDemandGateway.FakeUpstream.Streaming;

/// <summary>Plays an accepted query's reply: as an SSE stream, or collapsed into one sync JSON answer.</summary>
internal sealed class QueryReplyRunner(FakeExchange x, FakeOnDemandOptions options, string sessionId, string messageId)
{
    private static readonly TimeSpan AbortSettle = TimeSpan.FromMilliseconds(50);

    /// <summary>Writes the steps as frames, in order. Steps after a terminal one are ignored; running out of
    /// steps ends the response without [DONE] (a truncated stream).</summary>
    public async Task StreamAsync(IReadOnlyList<FakeStreamStep> steps)
    {
        var ctx = x.Context;
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "text/event-stream";
        ctx.Response.Headers.CacheControl = "no-cache";
        await ctx.Response.StartAsync(ctx.RequestAborted);
        var w = new SseFrameWriter(ctx.Response.BodyWriter, sessionId, messageId, options.TimeProvider, ctx.RequestAborted);

        foreach (var step in steps)
        {
            var open = step.Kind switch
            {
                FakeStreamStepKind.Delta => await w.DeltaAsync(step.Text),
                FakeStreamStepKind.Heartbeat => await w.HeartbeatAsync(),
                FakeStreamStepKind.Thinking => await w.ThinkingAsync(step.Text),
                FakeStreamStepKind.StatusLog => await w.StatusLogAsync(step.Text),
                FakeStreamStepKind.Metrics => await w.MetricsAsync(step.Input, step.Output),
                FakeStreamStepKind.UnknownEvent => await w.UnknownEventAsync(),
                FakeStreamStepKind.Delay => await WaitAsync(step.Duration, w),
                _ => true,
            };
            if (!open)
            {
                x.OnRequestAborted(); // the client went away mid-stream
                return;
            }

            switch (step.Kind)
            {
                case FakeStreamStepKind.Done:
                    await w.DoneAsync();
                    x.Call.MarkFinished();
                    return;
                case FakeStreamStepKind.Error:
                    await w.ErrorAsync(step.Text, step.ErrorCode);
                    x.Call.MarkFinished();
                    return;
                case FakeStreamStepKind.Close:
                    x.Call.MarkFinished();
                    return;
                case FakeStreamStepKind.Abort:
                    // An abort discards output Kestrel has not put on the wire yet; let flushed frames leave
                    // first so the client really is mid-stream (headers and earlier frames received) when it breaks.
                    await Task.Delay(AbortSettle, x.WaitToken);
                    x.Abort();
                    return;
                case FakeStreamStepKind.HangForever:
                    await x.WaitForeverAsync();
                    return;
            }
        }

        x.Call.MarkFinished();
    }

    /// <summary>Sync answer after the time the deltas would have taken to stream.</summary>
    public async Task SyncAsync(string text, int deltas, (int Input, int Output)? metrics)
    {
        await WaitAsync(options.DeltaDelay * deltas, writer: null);
        await JsonResponses.QueryAnsweredAsync(x.Context, sessionId, messageId, text, metrics);
        x.Call.MarkFinished();
    }

    /// <summary>A scripted stream answered to a sync query: deltas joined, an Error step becomes the matching
    /// HTTP error, and a stream without Done/Error becomes a reset connection (the sync form of truncation).</summary>
    public async Task SyncFromStepsAsync(IReadOnlyList<FakeStreamStep> steps)
    {
        var answer = new StringBuilder();
        (int, int)? metrics = null;
        foreach (var step in steps)
        {
            switch (step.Kind)
            {
                case FakeStreamStepKind.Delta:
                    answer.Append(step.Text);
                    break;
                case FakeStreamStepKind.Metrics:
                    metrics = (step.Input, step.Output);
                    break;
                case FakeStreamStepKind.Delay:
                    await WaitAsync(step.Duration, writer: null);
                    break;
                case FakeStreamStepKind.Done:
                    await JsonResponses.QueryAnsweredAsync(x.Context, sessionId, messageId, answer.ToString(), metrics);
                    x.Call.MarkFinished();
                    return;
                case FakeStreamStepKind.Error:
                    await JsonResponses.ErrorAsync(x.Context, ErrorCodes.StatusFor(step.ErrorCode), step.ErrorCode, step.Text);
                    x.Call.MarkFinished();
                    return;
                case FakeStreamStepKind.HangForever:
                    await x.WaitForeverAsync();
                    return;
                case FakeStreamStepKind.Close or FakeStreamStepKind.Abort:
                    x.Abort();
                    return;
            }
        }

        x.Abort();
    }

    /// <summary>Waits; on a stream, sends a heartbeat after each full <see cref="FakeOnDemandOptions.HeartbeatInterval"/>
    /// of a wait that is longer than one interval. The count is ⌈wait / interval⌉ − 1, independent of timer jitter.</summary>
    private async ValueTask<bool> WaitAsync(TimeSpan duration, SseFrameWriter? writer)
    {
        if (duration <= TimeSpan.Zero)
        {
            return true;
        }

        var remaining = duration;
        if (writer is not null && options.HeartbeatInterval is { } interval)
        {
            while (remaining > interval)
            {
                await Task.Delay(interval, options.TimeProvider, x.WaitToken);
                remaining -= interval;
                if (!await writer.HeartbeatAsync())
                {
                    return false;
                }
            }
        }

        await Task.Delay(remaining, options.TimeProvider, x.WaitToken);
        return true;
    }
}
