using OnDemandGateway.Upstream;

namespace OnDemandGateway.Relay;

/// <summary>Decides what a classified upstream failure means for the request in hand.</summary>
internal interface IRetryPolicy
{
    string Name { get; }

    /// <param name="kind">The classified failure.</param>
    /// <param name="faultRetries">How many backoff retries this request has already made.</param>
    RetryDecision Decide(UpstreamErrorKind kind, int faultRetries);
}
