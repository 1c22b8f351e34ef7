using System.Buffers;
using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OnDemandGateway.FakeUpstream.Auth;
using OnDemandGateway.FakeUpstream.Logging;
using OnDemandGateway.FakeUpstream.OpenAi;
using OnDemandGateway.FakeUpstream.Protocol;
using OnDemandGateway.FakeUpstream.Sessions;
using OnDemandGateway.FakeUpstream.Streaming;

namespace OnDemandGateway.FakeUpstream.Hosting;

/// <summary>The fake's only middleware: maps the spec's paths to endpoints, records each call and decides
/// afterwards whether the client or the fake ended it. Hand-rolled routing keeps the hot path allocation-light.</summary>
internal sealed class FakeDispatcher(FakeServerState state, OpenAiCompletions? openAi, ILogger logger)
{
    private const string ApiKeySessions = "/chat/v1/sessions";
    private const string AccountSessions = "/chat/v1/client/sessions";
    private const string QuerySuffix = "/query";

    public async Task InvokeAsync(HttpContext ctx)
    {
        var path = ctx.Request.Path.Value ?? "";
        if (!HttpMethods.IsPost(ctx.Request.Method) || !TryRoute(path, out var kind, out var accountMode, out var sessionId))
        {
            if (openAi is not null && path == "/v1/chat/completions" && HttpMethods.IsPost(ctx.Request.Method))
            {
                await openAi.HandleAsync(ctx, await ReadBodyAsync(ctx));
                return;
            }

            if (!state.Options.Quiet)
            {
                FakeLog.UnknownPath(logger, ctx.Request.Method, path);
            }

            await JsonResponses.ErrorAsync(ctx, 404, ErrorCodes.NotFound, $"No route for {ctx.Request.Method} {path}.");
            return;
        }

        var started = Stopwatch.GetTimestamp();
        var body = await ReadBodyAsync(ctx);
        var call = new FakeCall(kind, state.NextCallIndex(), path, body, state.Observed ? SnapshotHeaders(ctx.Request.Headers) : null);
        if (state.Options.RecordCalls)
        {
            state.Calls.Add(call);
        }

        using var exchange = new FakeExchange(ctx, call, state.Stopping);
        using var registration = ctx.RequestAborted.Register(static x => ((FakeExchange)x!).OnRequestAborted(), exchange);
        try
        {
            await (kind switch
            {
                FakeCallKind.Signin => AuthEndpoints.SigninAsync(exchange, state),
                FakeCallKind.Refresh => AuthEndpoints.RefreshAsync(exchange, state),
                FakeCallKind.CreateSession => SessionEndpoints.CreateAsync(exchange, state, accountMode),
                _ => QueryEndpoint.HandleAsync(exchange, state, accountMode, sessionId!),
            });
        }
        catch (Exception) when (ctx.RequestAborted.IsCancellationRequested || exchange.ServerStopping || exchange.ResetByServer)
        {
            // The client left or the fake is shutting down. The abort callback may not have run yet: token callbacks
            // run last-registered first, so the wait's linked token can resume this method before it.
            exchange.OnRequestAborted();
            if (exchange.ServerStopping)
            {
                exchange.Abort();
            }
        }
        catch (Exception ex)
        {
            FakeLog.CallFailed(logger, call.Index, ex);
            if (ctx.Response.HasStarted)
            {
                exchange.Abort();
            }
            else
            {
                await JsonResponses.ErrorAsync(ctx, 500, ErrorCodes.ServerError, $"Fake failed: {ex.GetType().Name}: {ex.Message}");
            }
        }
        finally
        {
            call.MarkCompleted(exchange.ResetByServer ? 0 : ctx.Response.StatusCode);
            if (!state.Options.Quiet)
            {
                FakeLog.CallHandled(logger, kind, call.Index, path, call.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }
    }

    private static bool TryRoute(string path, out FakeCallKind kind, out bool accountMode, out string? sessionId)
    {
        sessionId = null;
        accountMode = false;
        switch (path)
        {
            case "/v1/auth/user/signin":
                kind = FakeCallKind.Signin;
                return true;
            case "/v1/auth/user/refresh_token":
                kind = FakeCallKind.Refresh;
                return true;
            case ApiKeySessions:
                kind = FakeCallKind.CreateSession;
                return true;
            case AccountSessions:
                kind = FakeCallKind.CreateSession;
                accountMode = true;
                return true;
        }

        kind = FakeCallKind.Query;
        accountMode = path.StartsWith(AccountSessions + "/", StringComparison.Ordinal);
        var prefix = accountMode ? AccountSessions : ApiKeySessions;
        if (!path.EndsWith(QuerySuffix, StringComparison.Ordinal) || !path.StartsWith(prefix + "/", StringComparison.Ordinal))
        {
            return false;
        }

        var id = path.AsSpan(prefix.Length + 1, path.Length - prefix.Length - 1 - QuerySuffix.Length);
        if (id.IsEmpty || id.Contains('/'))
        {
            return false;
        }

        sessionId = id.ToString();
        return true;
    }

    private static async Task<byte[]> ReadBodyAsync(HttpContext ctx)
    {
        var reader = ctx.Request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(ctx.RequestAborted);
            if (result.IsCompleted || result.IsCanceled)
            {
                var bytes = result.Buffer.ToArray();
                reader.AdvanceTo(result.Buffer.End);
                return bytes;
            }

            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    private static Dictionary<string, string> SnapshotHeaders(IHeaderDictionary headers)
    {
        var copy = new Dictionary<string, string>(headers.Count, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in headers)
        {
            copy[name] = value.ToString();
        }

        return copy;
    }
}
