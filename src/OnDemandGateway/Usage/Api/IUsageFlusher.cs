namespace OnDemandGateway.Usage.Api;

/// <summary>The usage writer's queue as the APIs see it: <c>POST /save_stats</c> flushes it, <c>/api/stats</c> and
/// <c>/metrics</c> report its depth and losses. Optional: without one, nothing is pending and nothing dropped.</summary>
public interface IUsageFlusher
{
    /// <summary>Writes everything recorded so far before returning.</summary>
    Task FlushAsync(CancellationToken cancellationToken);

    int Pending { get; }

    /// <summary>Records lost because the queue was full or the store failed; never decreases.</summary>
    long Dropped { get; }
}
