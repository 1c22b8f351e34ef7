using OnDemandGateway.FakeUpstream.Auth;
using OnDemandGateway.FakeUpstream.Hosting;
using OnDemandGateway.FakeUpstream.Protocol;
using OnDemandGateway.FakeUpstream.Scripting;

namespace OnDemandGateway.FakeUpstream.Streaming;

/// <summary><c>POST {prefix}/{sessionId}/query</c>: auth, body validation, session lookup, then the scripted or default reply.</summary>
internal static class QueryEndpoint
{
    public static async Task HandleAsync(FakeExchange x, FakeServerState s, bool accountMode, string sessionId)
    {
        s.CountQuery();
        var ctx = x.Context;
        x.Call.SessionId = sessionId;
        var principal = await ChatAuthorization.AuthorizeAsync(x, s, accountMode, requireUserId: false);
        if (principal is null)
        {
            return;
        }

        if (!QueryRequestValidator.TryParse(x.Call.RawBody, out var request, out var error))
        {
            await JsonResponses.ErrorAsync(ctx, 400, ErrorCodes.InvalidRequest, error);
            return;
        }

        x.Call.Query = request!.Query;
        x.Call.EndpointId = request.EndpointId;
        x.Call.ResponseMode = request.ResponseMode;
        x.Call.ModelConfigs = request.ModelConfigs;

        var session = s.Sessions.Find(sessionId, accountMode, principal.Owner);
        if (session is null)
        {
            await JsonResponses.ErrorAsync(ctx, 404, ErrorCodes.NotFound, $"Session {sessionId} not found.");
            return;
        }

        var reply = await s.NextReplyAsync(x);
        switch (reply?.Kind)
        {
            case FakeReplyKind.Status:
                await JsonResponses.ErrorAsync(ctx, reply.StatusCode, reply.ErrorCode, reply.Message, reply.RetryAfter);
                return;
            case FakeReplyKind.Reset:
                x.Abort();
                return;
        }

        // The server accepted the query: it is now part of the session's history.
        if (s.Options.RecordCalls)
        {
            session.AddQuery(request.Query);
        }

        if (reply?.Kind == FakeReplyKind.Hang)
        {
            await x.WaitForeverAsync();
            return;
        }

        var messageId = s.NextMessageId();
        var runner = new QueryReplyRunner(x, s.Options, sessionId, messageId);
        switch (request.ResponseMode)
        {
            case "stream":
                await runner.StreamAsync(reply?.Kind == FakeReplyKind.Stream ? reply.Steps : AnswerSteps(s.Options, request, reply));
                break;
            case "sync" when reply?.Kind == FakeReplyKind.Stream:
                await runner.SyncFromStepsAsync(reply.Steps);
                break;
            case "sync":
                var pieces = DefaultAnswer.Limit(DefaultAnswer.Split(reply?.Text ?? s.Options.AnswerText ?? DefaultAnswer.TextFor(request.Query), s.Options.StreamDeltas), request.MaxTokens);
                await runner.SyncAsync(string.Concat(pieces), pieces.Count, reply?.Metrics);
                break;
            default: // webhook: accepted; the answer would be delivered to the webhook, which the fake does not call
                await JsonResponses.QueryAnsweredAsync(ctx, sessionId, messageId, answer: null, metrics: null);
                x.Call.MarkFinished();
                break;
        }
    }

    /// <summary>An answer as a stream: statusLog, paced deltas, metricsLog, [DONE].</summary>
    private static List<FakeStreamStep> AnswerSteps(FakeOnDemandOptions options, QueryRequest request, FakeReply? reply)
    {
        var query = request.Query;
        var text = reply?.Text ?? options.AnswerText ?? DefaultAnswer.TextFor(query);
        var pieces = DefaultAnswer.Limit(DefaultAnswer.Split(text, options.StreamDeltas), request.MaxTokens);
        var steps = new List<FakeStreamStep>(pieces.Count * 2 + 3) { FakeStreamStep.StatusLog("fulfilling") };
        foreach (var piece in pieces)
        {
            if (options.DeltaDelay > TimeSpan.Zero)
            {
                steps.Add(FakeStreamStep.Delay(options.DeltaDelay));
            }

            steps.Add(FakeStreamStep.Delta(piece));
        }

        var (input, output) = reply?.Metrics ?? (DefaultAnswer.InputTokensFor(query), pieces.Count);
        steps.Add(FakeStreamStep.Metrics(input, output));
        steps.Add(FakeStreamStep.Done());
        return steps;
    }
}
