using OnDemandGateway.Accounts;
using OnDemandGateway.OpenAi;
using OnDemandGateway.Upstream;
using OnDemandGateway.Usage;

namespace OnDemandGateway.Relay;

/// <summary>What the client sees for each classified failure, and how it is recorded.</summary>
internal static class RelayErrors
{
    public static OpenAiError ToClient(UpstreamError error) => error.Kind switch
    {
        UpstreamErrorKind.BadRequest => OpenAiError.Invalid($"on-demand.io rejected the request: {error.Message}", code: error.Code ?? "upstream_bad_request"),
        UpstreamErrorKind.RateLimited => new OpenAiError(429, "Every on-demand.io credential is rate limited right now. Retry later.", "rate_limit_error", null, "rate_limit_exceeded")
        {
            RetryAfterSeconds = Seconds(error.RetryAfter ?? TimeSpan.FromSeconds(1)),
        },
        UpstreamErrorKind.Unauthenticated or UpstreamErrorKind.Forbidden => new OpenAiError(503, $"No usable on-demand.io credential: the last one was refused ({error.Message}).", "api_error", null, "no_valid_credentials")
        {
            ShouldRetry = false,
        },
        UpstreamErrorKind.Timeout => new OpenAiError(504, $"on-demand.io did not answer in time: {error.Message}", "api_error", null, "upstream_timeout"),
        UpstreamErrorKind.StreamError => new OpenAiError(502, $"on-demand.io reported an error: {error.Message}", "api_error", null, error.Code ?? "upstream_error"),
        UpstreamErrorKind.Truncated => new OpenAiError(502, "on-demand.io ended the stream before the answer was complete.", "api_error", null, "upstream_truncated"),
        UpstreamErrorKind.Transport => new OpenAiError(502, $"on-demand.io could not be reached: {error.Message}", "api_error", null, "upstream_unreachable"),
        _ => new OpenAiError(502, $"on-demand.io failed: {error.Message}", "api_error", null, error.Code ?? "upstream_error"),
    };

    public static OpenAiError FromPool(AcquireResult result, UpstreamError? lastError) => result.Outcome switch
    {
        AcquireOutcome.NoneConfigured => new OpenAiError(503,
            "No on-demand.io credentials are configured. Set ONDEMAND_API_KEYS or ONDEMAND_ACCOUNTS, or add \"accounts\" to config.json, then restart the gateway.",
            "api_error", null, "no_credentials") { ShouldRetry = false },
        AcquireOutcome.AllCooling => new OpenAiError(429,
            $"Every on-demand.io credential is cooling down after a rate limit; the soonest is free in {Seconds(result.RetryAfter)} s.",
            "rate_limit_error", null, "rate_limit_exceeded") { RetryAfterSeconds = Seconds(result.RetryAfter) },
        AcquireOutcome.AllBusy => new OpenAiError(429, "Every on-demand.io credential is at its concurrency limit. Retry shortly.", "rate_limit_error", null, "credentials_busy") { RetryAfterSeconds = 1 },
        _ => new OpenAiError(503,
            "Every on-demand.io credential was refused by the upstream (invalid key or password)" + (lastError is null ? "." : $": {lastError.Message}"),
            "api_error", null, "no_valid_credentials") { RetryAfterSeconds = Seconds(result.RetryAfter), ShouldRetry = false },
    };

    public static UsageOutcome Outcome(UpstreamErrorKind kind) => kind switch
    {
        UpstreamErrorKind.BadRequest or UpstreamErrorKind.NotFound => UsageOutcome.BadRequest,
        UpstreamErrorKind.Unauthenticated or UpstreamErrorKind.Forbidden => UsageOutcome.Unauthenticated,
        UpstreamErrorKind.RateLimited => UsageOutcome.RateLimited,
        UpstreamErrorKind.Timeout => UsageOutcome.Timeout,
        UpstreamErrorKind.Transport => UsageOutcome.Transport,
        UpstreamErrorKind.StreamError => UsageOutcome.StreamError,
        UpstreamErrorKind.Truncated => UsageOutcome.Truncated,
        UpstreamErrorKind.ClientAborted => UsageOutcome.ClientAborted,
        _ => UsageOutcome.UpstreamFault,
    };

    public static UsageOutcome Outcome(AcquireOutcome outcome) => outcome switch
    {
        AcquireOutcome.AllCooling or AcquireOutcome.AllBusy => UsageOutcome.RateLimited,
        _ => UsageOutcome.NoCredential,
    };

    public static int Seconds(TimeSpan span) => Math.Max(1, (int)Math.Ceiling(span.TotalSeconds));
}
