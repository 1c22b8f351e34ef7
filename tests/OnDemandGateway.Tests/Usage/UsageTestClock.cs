namespace OnDemandGateway.Tests.Usage;

/// <summary>A manual clock: time moves only on <see cref="Advance"/>, which fires due timers (Task.Delay with
/// this provider included). Tests wait for a timer to be scheduled instead of sleeping.</summary>
internal sealed class UsageTestClock(DateTimeOffset start) : TimeProvider
{
    private readonly object _lock = new();
    private readonly List<ManualTimer> _timers = [];
    private readonly List<TaskCompletionSource> _scheduledWaiters = [];
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() { lock (_lock) return _now; }
    public override long GetTimestamp() => GetUtcNow().UtcTicks;
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Completes once some timer is scheduled to fire (e.g. a retry backoff has begun).</summary>
    public Task WhenTimerScheduledAsync()
    {
        lock (_lock)
        {
            if (_timers.Any(t => t.Due is not null)) return Task.CompletedTask;
            var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _scheduledWaiters.Add(waiter);
            return waiter.Task;
        }
    }

    public void Advance(TimeSpan by)
    {
        DateTimeOffset target;
        lock (_lock) target = _now + by;
        for (var guard = 0; guard < 10_000; guard++)
        {
            ManualTimer? next;
            lock (_lock)
            {
                next = _timers.Where(t => t.Due <= target).MinBy(t => t.Due);
                if (next is null) { _now = target; return; }
                _now = next.Due!.Value;
                next.Due = next.Period > TimeSpan.Zero ? _now + next.Period : null;
            }
            next.Fire();
        }
        throw new InvalidOperationException("Too many timer firings in one Advance");
    }

    private sealed class ManualTimer(UsageTestClock clock, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset? Due { get; set; }
        public TimeSpan Period { get; private set; }

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            List<TaskCompletionSource> wake = [];
            lock (clock._lock)
            {
                Period = period == Timeout.InfiniteTimeSpan ? TimeSpan.Zero : period;
                Due = dueTime == Timeout.InfiniteTimeSpan ? null : clock._now + dueTime;
                if (!clock._timers.Contains(this)) clock._timers.Add(this);
                if (Due is not null) { wake.AddRange(clock._scheduledWaiters); clock._scheduledWaiters.Clear(); }
            }
            foreach (var w in wake) w.TrySetResult();
            return true;
        }

        public void Dispose() { lock (clock._lock) clock._timers.Remove(this); }
        public ValueTask DisposeAsync() { Dispose(); return ValueTask.CompletedTask; }
    }
}
