using System.Net.Http.Headers;
using System.Text.Json;
using OnDemandGateway.Upstream.Http;

namespace OnDemandGateway.Upstream;

/// <summary>Maps HTTP statuses and exceptions from the upstream to <see cref="UpstreamErrorKind"/>, per the
/// spec's error table.</summary>
internal static class UpstreamErrorClassifier
{
    public static UpstreamErrorKind FromStatus(int status) => status switch
    {
        400 or 409 or 413 or 422 => UpstreamErrorKind.BadRequest,
        401 => UpstreamErrorKind.Unauthenticated,
        403 => UpstreamErrorKind.Forbidden,
        404 => UpstreamErrorKind.NotFound,
        408 => UpstreamErrorKind.Timeout,
        429 => UpstreamErrorKind.RateLimited,
        504 => UpstreamErrorKind.Timeout,
        >= 500 => UpstreamErrorKind.ServerError,
        _ => UpstreamErrorKind.BadRequest,
    };

    public static async Task<UpstreamError> FromResponseAsync(UpstreamHttpResponse response, CancellationToken cancellationToken)
    {
        byte[] body = [];
        try
        {
            body = await response.ReadBodyAsync(MaxErrorBody, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            // A body too long, cut short or broken: the status still says what happened.
        }
        return FromReply(response.Head, body);
    }

    private const int MaxErrorBody = 64 * 1024;

    /// <summary>An error answer: its status, and the spec's <c>errorCode</c> and <c>message</c> when the body is
    /// JSON that has them.</summary>
    public static UpstreamError FromReply(ResponseHead head, byte[] body)
    {
        var status = head.Status;
        string? code = null;
        string message = $"upstream answered {status} {head.ReasonPhrase}";
        try
        {
            if (body.Length > 0 && body.Length < MaxErrorBody)
            {
                using var document = JsonDocument.Parse(body);
                if (document.RootElement.ValueKind == JsonValueKind.Object)
                {
                    if (document.RootElement.TryGetProperty("errorCode", out var c) && c.ValueKind == JsonValueKind.String) code = c.GetString();
                    if (document.RootElement.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String) message = m.GetString() ?? message;
                }
            }
        }
        catch (JsonException)
        {
            // A non-JSON error body (an HTML error page from a proxy): keep the status line.
        }
        return new UpstreamError(FromStatus(status), status, code, message, ReadRetryAfter(head.RetryAfter));
    }

    /// <summary>A <c>Retry-After</c> value: delay seconds or an HTTP date; null when absent or unreadable.</summary>
    public static TimeSpan? ReadRetryAfter(string? value)
    {
        if (value is null || !RetryConditionHeaderValue.TryParse(value, out var header)) return null;
        var wait = header.Delta ?? header.Date - DateTimeOffset.UtcNow;
        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
    }

    /// <summary>Classifies an exception thrown while calling the upstream. <paramref name="clientAborted"/> and
    /// <paramref name="timedOut"/> say which of our tokens fired, since both surface as cancellation.</summary>
    public static UpstreamError FromException(Exception exception, bool clientAborted, bool timedOut)
    {
        if (clientAborted) return new UpstreamError(UpstreamErrorKind.ClientAborted, null, null, "the client closed the connection");
        if (timedOut) return new UpstreamError(UpstreamErrorKind.Timeout, null, null, "the upstream did not answer in time");
        return exception switch
        {
            OperationCanceledException => new UpstreamError(UpstreamErrorKind.Timeout, null, null, "the upstream request was cancelled"),
            // Closed (FIN) before a status line: the same transport failure as a reset there, retried alike. Truncated
            // is for a stream that ends without [DONE], which only the stream reader and pump can tell.
            HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded } => new UpstreamError(UpstreamErrorKind.Transport, null, null, "the upstream closed the connection before answering"),
            HttpRequestException or IOException => new UpstreamError(UpstreamErrorKind.Transport, null, null, Describe(exception)),
            JsonException => new UpstreamError(UpstreamErrorKind.InvalidResponse, null, null, "the upstream sent malformed JSON"),
            _ => new UpstreamError(UpstreamErrorKind.Transport, null, null, exception.GetType().Name),
        };
    }

    private static string Describe(Exception exception) =>
        exception is HttpRequestException { HttpRequestError: var error } && error != HttpRequestError.Unknown
            ? $"connection error ({error})"
            : "connection error";

    public static bool IsSuccess(int status) => status is >= 200 and < 300;
}
