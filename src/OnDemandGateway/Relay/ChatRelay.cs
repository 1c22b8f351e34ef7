using OnDemandGateway.Accounts;
using OnDemandGateway.Configuration;
using OnDemandGateway.OpenAi;
using OnDemandGateway.Upstream;
using OnDemandGateway.Usage;

namespace OnDemandGateway.Relay;

/// <summary>Relays one chat request: lease a credential, take a fresh session, query, and on failure decide —
/// from the classified error only — whether to move to another credential, back off, or answer the client.
/// Retries and failover happen only before the first byte reaches the client.</summary>
internal sealed partial class ChatRelay(
    CredentialPool pool,
    SessionSupply sessions,
    OnDemandClient client,
    IRetryPolicy retry,
    StreamPump pump,
    GatewayOptions options,
    TimeProvider time,
    IUsageSink usage,
    CostCalculator costs,
    ILogger<ChatRelay> logger)
{
    /// <summary>The client's model name goes into the log line at most this long (and with control characters
    /// escaped): a name of up to <see cref="OpenAi.ChatRequestParser.MaxModelLength"/> characters is accepted
    /// whatever it holds, and an unknown one is answered with the default endpoint.</summary>
    internal const int MaxLoggedModelLength = 200;

    public async Task RelayAsync(HttpContext context, RelayRequest request)
    {
        var outcome = new RelayOutcome();
        try
        {
            await RunAsync(context, request, outcome);
        }
        finally
        {
            Record(context, request, outcome);
        }
    }

    private async Task RunAsync(HttpContext context, RelayRequest request, RelayOutcome outcome)
    {
        var aborted = context.RequestAborted;
        var timeout = TimeSpan.FromSeconds(options.RequestTimeoutSeconds);
        var deadlineAt = time.GetUtcNow() + timeout;
        using var deadline = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(aborted, deadline.Token);
        var token = linked.Token;

        UpstreamError? last = null;
        var faultRetries = 0;
        var switches = 0;
        var maxSwitches = pool.Credentials.Count + options.MaxRetries;
        var staleSessionRetried = false;
        while (true)
        {
            UpstreamError failure;
            CredentialState credential;
            CredentialLease? lease = null;
            try
            {
                var acquired = await pool.AcquireAsync(TimeSpan.FromSeconds(options.AllCoolingMaxWaitSeconds), token);
                if (acquired.Lease is null)
                {
                    var error = RelayErrors.FromPool(acquired, last);
                    outcome.Fail(RelayErrors.Outcome(acquired.Outcome), error.Status, error.Message);
                    await OpenAiErrorWriter.WriteAsync(context, error);
                    return;
                }
                lease = acquired.Lease;
                credential = lease.Credential;
                outcome.Credential = credential.Id;
                var attempt = await AttemptAsync(context, request, credential, outcome, token);
                if (attempt is null)
                {
                    pool.ReportSuccess(credential);
                    return;
                }
                failure = attempt;
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                lease?.Dispose();
                await FailAsync(context, outcome, UpstreamErrorClassifier.FromException(new OperationCanceledException(), aborted.IsCancellationRequested, deadline.IsCancellationRequested));
                return;
            }
            finally
            {
                lease?.Dispose();
            }

            last = failure;
            LogAttemptFailed(logger, credential.Id, failure.ToString());
            if (failure.Kind == UpstreamErrorKind.NotFound && !staleSessionRetried)
            {
                // A pre-created session the upstream no longer knows: one more try with a fresh one.
                staleSessionRetried = true;
                credential.Sessions.Clear();
                continue;
            }
            var decision = retry.Decide(failure.Kind, faultRetries);
            if (decision.Action == RetryAction.NextCredential)
            {
                if (failure.Kind == UpstreamErrorKind.RateLimited) pool.ReportRateLimited(credential, failure.RetryAfter, failure.ToString());
                else pool.ReportInvalid(credential, failure.ToString());
                if (++switches <= maxSwitches) continue;
            }
            else if (decision.Action == RetryAction.Backoff)
            {
                pool.ReportFailure(credential, failure.ToString());
                faultRetries++;
                if (time.GetUtcNow() + decision.Delay < deadlineAt)
                {
                    try
                    {
                        await Task.Delay(decision.Delay, time, token);
                        continue;
                    }
                    catch (OperationCanceledException)
                    {
                        await FailAsync(context, outcome, UpstreamErrorClassifier.FromException(new OperationCanceledException(), aborted.IsCancellationRequested, deadline.IsCancellationRequested));
                        return;
                    }
                }
            }
            else if (failure.Kind != UpstreamErrorKind.BadRequest)
            {
                pool.ReportFailure(credential, failure.ToString());
            }
            await FailAsync(context, outcome, failure);
            return;
        }
    }

    /// <summary>One try on one credential. Null means the request is answered (success, or a failure reported
    /// in-band after the response was committed); otherwise the classified failure, nothing sent yet.</summary>
    private async Task<UpstreamError?> AttemptAsync(HttpContext context, RelayRequest request, CredentialState credential, RelayOutcome outcome, CancellationToken token)
    {
        var session = await sessions.TakeAsync(credential, token);
        if (!session.IsSuccess) return session.Error;

        if (request.Chat.Stream)
        {
            var opening = client.OpenStreamAsync(credential, session.Value!, request.Query, token);
            // Top the reserve up only once this request's own query is on its way: the latency path goes first.
            sessions.Refill(credential);
            var opened = await opening;
            if (!opened.IsSuccess) return opened.Error;
            using var stream = opened.Value!;
            await pump.PumpAsync(context, request, stream, outcome);
            if (outcome.Outcome is not (UsageOutcome.Success or UsageOutcome.ClientAborted or UsageOutcome.BadRequest))
                pool.ReportFailure(credential, outcome.Error ?? outcome.Outcome.ToString());
            return null;
        }

        var answering = client.QuerySyncAsync(credential, session.Value!, request.Query, token);
        sessions.Refill(credential);
        var answer = await answering;
        if (!answer.IsSuccess) return answer.Error;
        var reply = answer.Value!;
        outcome.FirstTokenAt = time.GetTimestamp();
        outcome.Tokens = TokenCounting.Decide(request.Model.Model, request.Chat.Messages, reply.Answer, reply.Metrics, partial: false);
        outcome.Succeed();
        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "application/json";
        var identity = new CompletionIdentity(CompletionIdentity.NewId(), time.GetUtcNow().ToUnixTimeSeconds(), request.Model.Model);
        using (var writer = new System.Text.Json.Utf8JsonWriter(response.BodyWriter, ChatCompletionWriter.WriterOptions))
        {
            ChatCompletionWriter.WriteCompletion(writer, identity, reply.Answer, outcome.Tokens, FinishReason.CutAtLimit(request.Chat.MaxTokens, outcome.Tokens, request.Model.Model));
        }
        await response.BodyWriter.FlushAsync(context.RequestAborted);
        return null;
    }

    private static Task FailAsync(HttpContext context, RelayOutcome outcome, UpstreamError failure)
    {
        if (failure.Kind == UpstreamErrorKind.ClientAborted)
        {
            outcome.Fail(UsageOutcome.ClientAborted, 499, failure.Message);
            return Task.CompletedTask;
        }
        var error = RelayErrors.ToClient(failure);
        outcome.Fail(RelayErrors.Outcome(failure.Kind), error.Status, failure.ToString());
        return context.Response.HasStarted ? Task.CompletedTask : OpenAiErrorWriter.WriteAsync(context, error);
    }

    private void Record(HttpContext context, RelayRequest request, RelayOutcome outcome)
    {
        var latency = time.GetElapsedTime(request.StartedAt);
        var ttft = outcome.FirstTokenAt is { } first ? time.GetElapsedTime(request.StartedAt, first).TotalMilliseconds : (double?)null;
        usage.Record(new UsageRecord
        {
            RequestId = Logging.RequestIdMiddleware.UsageKey(context),
            Timestamp = time.GetUtcNow(),
            ClientKey = request.Key.Name,
            Model = request.Model.Model,
            EndpointId = request.Model.EndpointId,
            Credential = outcome.Credential,
            Stream = request.Chat.Stream,
            Outcome = outcome.Outcome,
            HttpStatus = outcome.Status,
            PromptTokens = outcome.Tokens.PromptTokens,
            CompletionTokens = outcome.Tokens.CompletionTokens,
            TokenSource = outcome.Tokens.Source,
            LatencyMs = latency.TotalMilliseconds,
            TimeToFirstTokenMs = ttft,
            CostUsd = costs.Cost(request.Model.Model, outcome.Tokens.PromptTokens, outcome.Tokens.CompletionTokens),
            Error = outcome.Error,
        });
        LogCompleted(logger, Logging.LogSafeText.ForLog(request.Model.Model, MaxLoggedModelLength), request.Chat.Stream, outcome.Status, outcome.Outcome, latency.TotalMilliseconds, outcome.Credential ?? "-");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "chat model={Model} stream={Stream} status={Status} outcome={Outcome} latency_ms={LatencyMs:0} credential={Credential}")]
    private static partial void LogCompleted(ILogger logger, string model, bool stream, int status, UsageOutcome outcome, double latencyMs, string credential);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upstream attempt on {Credential} failed: {Error}")]
    private static partial void LogAttemptFailed(ILogger logger, string credential, string error);
}
