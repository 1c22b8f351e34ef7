using Microsoft.Extensions.Logging;

namespace OnDemandGateway.FakeUpstream.Logging;

/// <summary>The fake's log lines. Credentials are never logged: only the call kind, path and outcome.</summary>
internal static partial class FakeLog
{
    [LoggerMessage(1, LogLevel.Information, "{Kind} #{Index} {Path} -> {StatusCode} in {ElapsedMs:0.0} ms")]
    public static partial void CallHandled(ILogger logger, FakeCallKind kind, int index, string path, int statusCode, double elapsedMs);

    [LoggerMessage(2, LogLevel.Warning, "Call #{Index} failed inside the fake (script or handler error)")]
    public static partial void CallFailed(ILogger logger, int index, Exception exception);

    [LoggerMessage(3, LogLevel.Information, "{Method} {Path} -> 404 (not an OnDemand path)")]
    public static partial void UnknownPath(ILogger logger, string method, string path);
}
