namespace OnDemandGateway.OpenAi;

/// <summary>An error in OpenAI's envelope: <c>{"error":{"message","type","param","code"}}</c>.</summary>
internal sealed record OpenAiError(int Status, string Message, string Type, string? Param = null, string? Code = null)
{
    /// <summary>Seconds for a <c>Retry-After</c> header (429/503), if any: only where waiting helps.</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>False for an error that retrying cannot fix (no usable credential): sent as
    /// <c>x-should-retry: false</c>, which OpenAI's SDKs honour instead of retrying a 5xx with backoff.</summary>
    public bool? ShouldRetry { get; init; }

    public static OpenAiError Invalid(string message, string? param = null, string? code = null) =>
        new(400, message, "invalid_request_error", param, code);
}
