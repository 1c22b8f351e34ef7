using System.Security.Cryptography;

namespace OnDemandGateway.Logging;

/// <summary>Gives every request an id: the caller's <c>X-Request-Id</c> when it is short and safe to echo into
/// logs, else a fresh one. The id becomes <see cref="HttpContext.TraceIdentifier"/>, is returned in the
/// <c>X-Request-Id</c> response header, and sits in a logging scope so every line of the request carries it.</summary>
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
    public static bool IsAcceptable(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > MaxLength) return false;
        foreach (var c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':')) return false;
        }
        return true;
    }

    /// <summary>12 hex characters: short enough to read in a log, random enough not to collide in practice.</summary>
    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
}
