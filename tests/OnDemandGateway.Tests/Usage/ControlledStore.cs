using OnDemandGateway.Usage;

namespace OnDemandGateway.Tests.Usage;

/// <summary>Wraps a real store so a test can hold a write at a gate or make writes fail, then let them through.</summary>
internal sealed class ControlledStore(IUsageStore inner) : IUsageStore
{
    private int _attempts;

    /// <summary>Awaited at the start of every write attempt (null = no gate).</summary>
    public Task? Gate { get; set; }
    /// <summary>Number of upcoming attempts that throw, as an unreachable database would.</summary>
    public int FailNext { get; set; }
    public TaskCompletionSource WriteEntered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public TaskCompletionSource FirstFailure { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public int Attempts => Volatile.Read(ref _attempts);
    public IUsageStore Inner => inner;

    public string Kind => inner.Kind;
    public Task MigrateAsync(CancellationToken cancellationToken) => inner.MigrateAsync(cancellationToken);

    public async Task WriteAsync(IReadOnlyList<UsageRecord> batch, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _attempts);
        WriteEntered.TrySetResult();
        if (Gate is { } gate) await gate.WaitAsync(cancellationToken);
        if (FailNext > 0)
        {
            FailNext--;
            FirstFailure.TrySetResult();
            throw new InvalidOperationException("database is down (test)");
        }
        await inner.WriteAsync(batch, cancellationToken);
    }

    public Task<UsageStats> GetStatsAsync(StatsQuery query, CancellationToken cancellationToken) => inner.GetStatsAsync(query, cancellationToken);
    public Task<RequestPage> GetRequestsAsync(RequestQuery query, CancellationToken cancellationToken) => inner.GetRequestsAsync(query, cancellationToken);
    public Task PruneAsync(DateTimeOffset olderThan, CancellationToken cancellationToken) => inner.PruneAsync(olderThan, cancellationToken);
}
