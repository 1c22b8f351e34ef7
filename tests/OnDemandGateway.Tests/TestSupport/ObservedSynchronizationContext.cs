namespace OnDemandGateway.Tests.TestSupport;

/// <summary>Runs posted continuations on the thread pool, like the default context, and checks the registered
/// conditions after each one. Code started while this context is current (fire-and-forget work, background
/// drains) posts its continuations here, so a test can await the moment a condition became true without
/// sleeping or polling: the check runs right after the step of work that could have made it true.</summary>
internal sealed class ObservedSynchronizationContext : SynchronizationContext
{
    private readonly Lock _gate = new();
    private readonly List<(Func<bool> Condition, TaskCompletionSource Reached)> _waiters = [];

    /// <summary>Runs <paramref name="action"/> with this context current, so the work it starts posts here.</summary>
    public void Run(Action action)
    {
        var previous = Current;
        SetSynchronizationContext(this);
        try
        {
            action();
        }
        finally
        {
            SetSynchronizationContext(previous);
        }
        CheckWaiters();
    }

    /// <summary>Completes once <paramref name="condition"/> holds (checked now and after every posted step).</summary>
    public Task WhenAsync(Func<bool> condition)
    {
        lock (_gate)
        {
            if (condition()) return Task.CompletedTask;
            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((condition, reached));
            return reached.Task;
        }
    }

    public override void Post(SendOrPostCallback d, object? state) =>
        ThreadPool.UnsafeQueueUserWorkItem(_ =>
        {
            var previous = Current;
            SetSynchronizationContext(this);
            try
            {
                d(state);
            }
            finally
            {
                SetSynchronizationContext(previous);
                CheckWaiters();
            }
        }, null);

    public override SynchronizationContext CreateCopy() => this;

    private void CheckWaiters()
    {
        lock (_gate)
        {
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (!_waiters[i].Condition()) continue;
                _waiters[i].Reached.TrySetResult();
                _waiters.RemoveAt(i);
            }
        }
    }
}
