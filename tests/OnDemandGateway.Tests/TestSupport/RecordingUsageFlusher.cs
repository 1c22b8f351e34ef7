using OnDemandGateway.Usage.Api;

namespace OnDemandGateway.Tests.TestSupport;

/// <summary>Stands in for the usage writer's queue: counts flushes and reports settable depth and losses.</summary>
internal sealed class RecordingUsageFlusher : IUsageFlusher
{
    private int _flushes;
    private readonly TaskCompletionSource _flushed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Flushes => Volatile.Read(ref _flushes);

    /// <summary>Completes on the first flush, so a test can await a click's effect without sleeping.</summary>
    public Task FirstFlush => _flushed.Task;

    public int Pending { get; set; }

    public long Dropped { get; set; }

    public Task FlushAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _flushes);
        Pending = 0;
        _flushed.TrySetResult();
        return Task.CompletedTask;
    }
}
