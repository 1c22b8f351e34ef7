using OnDemandGateway.Configuration;
using OnDemandGateway.Upstream;

namespace OnDemandGateway.Relay;

/// <summary>429/401/403 move to the next credential at once; 5xx and timeouts back off linearly, connection
/// errors exponentially (base <c>retry_delay</c>, ±20% jitter), at most <c>max_retries</c> times; a bad request
/// is never retried.</summary>
internal sealed class ClassifiedRetryPolicy(GatewayOptions options, Func<double> random) : IRetryPolicy
{
    public ClassifiedRetryPolicy(GatewayOptions options) : this(options, Random.Shared.NextDouble)
    {
    }

    public string Name => "classified-backoff";

    public RetryDecision Decide(UpstreamErrorKind kind, int faultRetries)
    {
        switch (kind)
        {
            case UpstreamErrorKind.RateLimited:
            case UpstreamErrorKind.Unauthenticated:
            case UpstreamErrorKind.Forbidden:
                return RetryDecision.NextCredential;
            case UpstreamErrorKind.ServerError:
            case UpstreamErrorKind.Timeout:
            case UpstreamErrorKind.InvalidResponse:
            case UpstreamErrorKind.Transport:
                if (faultRetries >= options.MaxRetries) return RetryDecision.Fail;
                var attempt = faultRetries + 1;
                var factor = kind == UpstreamErrorKind.Transport ? Math.Pow(2, attempt - 1) : attempt;
                var jitter = 0.8 + 0.4 * random();
                return new RetryDecision(RetryAction.Backoff, TimeSpan.FromSeconds(options.RetryDelaySeconds * factor * jitter));
            default:
                return RetryDecision.Fail;
        }
    }
}
