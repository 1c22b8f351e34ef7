namespace OnDemandGateway.FakeUpstream.Protocol;

/// <summary>The spec's error table: errorCode strings and the HTTP status each one comes with.</summary>
internal static class ErrorCodes
{
    public const string InvalidRequest = "invalid_request";
    public const string ContextLengthExceeded = "context_length_exceeded";
    public const string Unauthenticated = "unauthenticated";
    public const string Unauthorized = "unauthorized";
    public const string NotFound = "not_found";
    public const string RateLimitExceeded = "rate_limit_exceeded";
    public const string ServerError = "server_error";
    public const string ModelError = "model_error";
    public const string BadGateway = "bad_gateway";
    public const string ResourceUnavailable = "resource_unavailable";
    public const string PluginExecutionTimeout = "plugin_execution_timeout";

    /// <summary>Status for an in-stream error code when the same failure is answered to a sync query.</summary>
    public static int StatusFor(string errorCode) => errorCode switch
    {
        InvalidRequest or ContextLengthExceeded => 400,
        Unauthenticated => 401,
        Unauthorized => 403,
        NotFound => 404,
        RateLimitExceeded => 429,
        BadGateway => 502,
        ResourceUnavailable => 503,
        PluginExecutionTimeout => 504,
        _ => 500,
    };
}
