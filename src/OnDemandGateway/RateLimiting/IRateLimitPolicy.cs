using OnDemandGateway.Auth;

namespace OnDemandGateway.RateLimiting;

/// <summary>Admits or refuses one request of a client key. Async so a shared (database) window can back it.</summary>
internal interface IRateLimitPolicy
{
    string Name { get; }

    ValueTask<RateLimitDecision> AcquireAsync(ClientKey key, CancellationToken cancellationToken);
}
