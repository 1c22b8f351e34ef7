using System.Buffers;
using System.Text;
using System.Text.Json;
using OnDemandGateway.Configuration;
using OnDemandGateway.OpenAi;
using OnDemandGateway.Upstream;
using OnDemandGateway.Usage;

namespace OnDemandGateway.Relay;

/// <summary>Translates an accepted upstream stream into OpenAI chunks, as they arrive. The response is committed
/// at step 1; every failure after that is reported in-band as an error event, never as a clean finish.</summary>
internal sealed class StreamPump(GatewayOptions options, TimeProvider time)
{
    /// <summary>Comment sent when neither the upstream nor we have written anything for this long.</summary>
    internal static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(15);

    public async Task PumpAsync(HttpContext context, RelayRequest request, UpstreamStream stream, RelayOutcome outcome)
    {
        var aborted = context.RequestAborted;
        var response = context.Response;
        var output = response.BodyWriter;
        var identity = new CompletionIdentity(CompletionIdentity.NewId(), time.GetUtcNow().ToUnixTimeSeconds(), request.Model.Model);
        var contentChunk = new ContentChunkTemplate(identity);
        var completion = new StringBuilder();
        TokenMetrics? metrics = null;
        var idleTimeout = TimeSpan.FromSeconds(options.StreamTimeoutSeconds);
        var idleResetEvery = idleTimeout / 32;
        using var idle = new CancellationTokenSource(idleTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(aborted, idle.Token);
        using var writer = new Utf8JsonWriter(output, ChatCompletionWriter.WriterOptions);
        using var channel = new SseChannel(output, time, aborted);

        // 1. Commit: headers and the role chunk go out at once (fast first byte; no retries from here on).
        response.StatusCode = 200;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        await channel.EnterAsync();
        ChatCompletionWriter.WriteChunk(output, writer, identity, ChunkKind.Role);
        await channel.FlushAndExitAsync();
        using var keepAlive = time.CreateTimer(static state => ((SseChannel)state!).KeepAlive(KeepAliveInterval), channel, KeepAliveInterval, KeepAliveInterval);

        OpenAiError? inBandError = null;
        var idleResetAt = time.GetTimestamp();
        try
        {
            while (true)
            {
                // 2. Read the next upstream event: from what already arrived when possible; before waiting on the
                //    network, flush what was written, so batching never holds a delta back.
                if (!stream.TryReadBuffered(out var next))
                {
                    await channel.FlushPendingAsync();
                    next = await stream.ReadAsync(linked.Token);
                }
                // Every event (heartbeats too) restarts the idle timeout; re-arming the timer at most every
                // 1/32 of the timeout keeps a timer update off every delta (the timeout may end that much sooner).
                if (time.GetElapsedTime(idleResetAt) >= idleResetEvery)
                {
                    idle.CancelAfter(idleTimeout);
                    idleResetAt = time.GetTimestamp();
                }
                switch (next.Kind)
                {
                    case UpstreamEventKind.Delta:
                        // 3. Each delta is written as it arrives and flushed with any others that came with it.
                        outcome.FirstTokenAt ??= time.GetTimestamp();
                        completion.Append(next.Text);
                        await channel.EnterAsync();
                        contentChunk.Write(output, writer, next.Text!);
                        channel.Exit();
                        break;
                    case UpstreamEventKind.Heartbeat:
                        await channel.WriteKeepAliveAsync();
                        break;
                    case UpstreamEventKind.Metrics:
                        metrics = next.Metrics;
                        break;
                    case UpstreamEventKind.Done:
                        // 4. Clean end: finish chunk ("length" when the answer reached max_tokens), the usage chunk when
                        // asked for, [DONE].
                        outcome.Tokens = TokenCounting.Decide(request.Model.Model, request.Chat.Messages, completion.ToString(), metrics, partial: false);
                        outcome.Succeed();
                        await channel.EnterAsync();
                        ChatCompletionWriter.WriteChunk(output, writer, identity,
                            FinishReason.CutAtLimit(request.Chat.MaxTokens, outcome.Tokens, request.Model.Model) ? ChunkKind.FinishAtLimit : ChunkKind.Finish);
                        if (request.Chat.IncludeUsage) ChatCompletionWriter.WriteUsageChunk(output, writer, identity, outcome.Tokens);
                        output.Write(ChatCompletionWriter.DoneEvent);
                        await channel.FlushAndExitAsync();
                        return;
                    case UpstreamEventKind.Error:
                        inBandError = Fail(outcome, next.Error!);
                        break;
                    case UpstreamEventKind.Truncated:
                        inBandError = Fail(outcome, new UpstreamError(UpstreamErrorKind.Truncated, null, null, "the upstream stream closed without [DONE]"));
                        break;
                }
                if (inBandError is not null) break;
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested || channel.ClientGone)
        {
            outcome.Fail(UsageOutcome.ClientAborted, 499, "the client closed the connection mid-stream");
        }
        catch (OperationCanceledException) when (idle.IsCancellationRequested)
        {
            inBandError = Fail(outcome, new UpstreamError(UpstreamErrorKind.Timeout, null, null, $"no upstream event for {idleTimeout.TotalSeconds:0} s"));
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            inBandError = Fail(outcome, UpstreamErrorClassifier.FromException(e, false, false) is { Kind: UpstreamErrorKind.Transport } transport
                ? transport with { Kind = UpstreamErrorKind.Truncated }
                : UpstreamErrorClassifier.FromException(e, false, false));
        }

        var partial = outcome.Outcome == UsageOutcome.ClientAborted;
        outcome.Tokens = TokenCounting.Decide(request.Model.Model, request.Chat.Messages, completion.ToString(), metrics, partial);
        if (inBandError is not null && !channel.ClientGone)
        {
            // 5. Failure after commit: an OpenAI-style error event, no finish_reason "stop", no [DONE].
            try
            {
                await channel.EnterAsync();
                ChatCompletionWriter.WriteErrorEvent(output, writer, inBandError);
                await channel.FlushAndExitAsync();
            }
            catch (OperationCanceledException)
            {
                // The client left too; the upstream failure stays the recorded outcome.
            }
        }
    }

    private static OpenAiError Fail(RelayOutcome outcome, UpstreamError error)
    {
        var client = RelayErrors.ToClient(error);
        outcome.Fail(RelayErrors.Outcome(error.Kind), 200, error.ToString());
        return client;
    }
}
