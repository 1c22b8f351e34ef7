namespace OnDemandGateway.Logging;

/// <summary>Gives every request an id: the caller's <c>X-Request-Id</c> when it is short and safe to echo into
/// logs, else a fresh one. The id becomes <see cref="HttpContext.TraceIdentifier"/>, is returned in the
/// <c>X-Request-Id</c> response header, and sits in a logging scope so every line of the request carries it.
/// A caller's id need not be unique (a client may send the same one twice), so <see cref="UsageKey"/> gives the
/// unique key usage accounting stores.</summary>
internal sealed class RequestIdMiddleware(RequestDelegate next, ILogger<RequestIdMiddleware> logger)
{
    public const string HeaderName = "X-Request-Id";
    public const int MaxLength = 64;

    public async Task InvokeAsync(HttpContext context)
    {
        var incoming = context.Request.Headers[HeaderName];
        var id = incoming.Count == 1 && IsAcceptable(incoming[0]) ? incoming[0]! : NewId();
        context.TraceIdentifier = id;
        context.Response.Headers[HeaderName] = id;
        using (logger.BeginScope(new RequestIdScope(id)))
        {
            await next(context);
        }
    }

    /// <summary>Only characters that cannot forge a log line or a header: letters, digits and <c>-_.:</c>.</summary>
    public static bool IsAcceptable(string? id) => LogSafeText.IsPlain(id, MaxLength);

    /// <summary>16 hex characters, never repeated (see <see cref="Runtime.UniqueIds"/>).</summary>
    public static string NewId() => Runtime.UniqueIds.Next();

    /// <summary>The request's id when the gateway made it; the caller's id plus a fresh suffix otherwise, so a
    /// client repeating its X-Request-Id can neither merge nor hide requests in the usage records.</summary>
    public static string UsageKey(HttpContext context)
    {
        var incoming = context.Request.Headers[HeaderName];
        return incoming.Count == 1 && incoming[0] == context.TraceIdentifier ? context.TraceIdentifier + "/" + NewId() : context.TraceIdentifier;
    }
}
