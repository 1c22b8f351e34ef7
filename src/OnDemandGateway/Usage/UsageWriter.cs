using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using OnDemandGateway.Configuration;

namespace OnDemandGateway.Usage;

/// <summary>
/// The request path's usage sink. Observers see each record at once; the record is then queued in a bounded
/// channel and written in batches by one background loop, so the database is never on the request path.
/// Everything queued is written within moments (no timer: each batch is whatever queued up during the last
/// write), a failing store is retried with backoff while records wait in memory, and stopping the host
/// drains the queue completely. Records that cannot be queued are counted in <see cref="Dropped"/> and logged.
/// </summary>
internal sealed partial class UsageWriter : IUsageSink, Api.IUsageFlusher, IHostedLifecycleService, IDisposable
{
    public const int MaxBatchSize = 500;
    /// <summary>Under light load every record would be its own transaction (raw insert plus six rollup upserts);
    /// waiting this long after the first record lets a batch form, far inside the one-second durability bound.</summary>
    internal static readonly TimeSpan CoalesceWindow = TimeSpan.FromMilliseconds(200);
    internal static readonly TimeSpan DropWarningInterval = TimeSpan.FromSeconds(10);
    internal static readonly TimeSpan InitialBackoff = TimeSpan.FromMilliseconds(500);
    // Short enough that records buffered through a database outage are written within seconds of its return.
    internal static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);

    private readonly IUsageStore _store;
    private readonly IUsageObserver[] _observers;
    private readonly CostCalculator _cost;
    private readonly TimeProvider _time;
    private readonly ILogger<UsageWriter> _logger;
    private readonly Channel<WorkItem> _channel;
    // Fired only when a drain is abandoned (host shutdown timeout): normal stopping completes the channel instead.
    private readonly CancellationTokenSource _abandon = new();
    private readonly WriterThread _thread = new("usage-writer");
    private Task? _loop;
    private long _pending, _written, _dropped, _lastDropWarning = long.MinValue;
    private volatile string? _lastError;

    public UsageWriter(IUsageStore store, IEnumerable<IUsageObserver> observers, CostCalculator cost,
        GatewayOptions options, TimeProvider time, ILogger<UsageWriter> logger)
    {
        _store = store;
        _observers = observers.ToArray();
        _cost = cost;
        _time = time;
        _logger = logger;
        _channel = Channel.CreateBounded<WorkItem>(new BoundedChannelOptions(Math.Max(1, options.UsageQueueCapacity))
        {
            FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails fast instead of evicting anything
            SingleReader = true,
        });
    }

    /// <summary>Records accepted but not yet durable (queued, or in a batch being written or retried).</summary>
    public int Pending => (int)Interlocked.Read(ref _pending);
    public long Written => Interlocked.Read(ref _written);
    public long Dropped => Interlocked.Read(ref _dropped);
    /// <summary>The last store failure, or null once a write succeeded again.</summary>
    public string? LastError => _lastError;

    public void Record(UsageRecord record)
    {
        try
        {
            if (record.CostUsd == 0 && (record.PromptTokens > 0 || record.CompletionTokens > 0))
                record = record with { CostUsd = _cost.Cost(record.Model, record.PromptTokens, record.CompletionTokens) };
            foreach (var observer in _observers)
            {
                try { observer.Observe(record); }
                catch (Exception ex) { LogObserverFailed(ex, observer.GetType().Name); }
            }

            Interlocked.Increment(ref _pending);
            if (_channel.Writer.TryWrite(new WorkItem(record, null))) return;
            Interlocked.Decrement(ref _pending);
            CountDrop();
        }
        catch (Exception ex)
        {
            // The request path must never fail because of accounting.
            CountDrop();
            LogRecordFailed(ex);
        }
    }

    /// <summary>Returns once every record recorded before this call is durable in the store.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var loop = _loop ?? throw new InvalidOperationException("The usage writer has not been started.");
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            // The marker queues behind every earlier record; the loop completes it after writing them.
            await _channel.Writer.WriteAsync(new WorkItem(null, done), cancellationToken);
        }
        catch (ChannelClosedException)
        {
            await loop.WaitAsync(cancellationToken); // stopping: the drain writes everything
            return;
        }
        await done.Task.WaitAsync(cancellationToken);
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop ??= Task.Run(RunAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Drains after every other hosted service (the web server included) has stopped, so requests
    /// finishing during shutdown are still recorded. Gives up only when the host's shutdown timeout fires.</summary>
    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        _channel.Writer.TryComplete();
        if (_loop is null) return;
        try
        {
            await _loop.WaitAsync(cancellationToken);
            LogDrained(Written, Dropped);
        }
        catch (OperationCanceledException)
        {
            LogDrainAbandoned(Pending, _lastError);
            await _abandon.CancelAsync();
        }
    }

    private async Task RunAsync()
    {
        var batch = new List<UsageRecord>(MaxBatchSize);
        var waiters = new List<TaskCompletionSource>();
        var reader = _channel.Reader;
        var abandon = _abandon.Token;
        try
        {
            while (await reader.WaitToReadAsync(abandon))
            {
                Take(reader, batch, waiters);
                if (batch.Count < MaxBatchSize && waiters.Count == 0 && !reader.Completion.IsCompleted)
                {
                    // Real time, not the injected clock: this only shapes batches, and a test's manual clock
                    // must not stall the writer.
                    await Task.Delay(CoalesceWindow, TimeProvider.System, abandon);
                    Take(reader, batch, waiters);
                }
                await WriteWithRetryAsync(batch, abandon);
                Interlocked.Add(ref _written, batch.Count);
                Interlocked.Add(ref _pending, -batch.Count);
                batch.Clear();
                foreach (var waiter in waiters) waiter.TrySetResult();
                waiters.Clear();
            }
        }
        catch (OperationCanceledException) when (abandon.IsCancellationRequested)
        {
            foreach (var waiter in waiters) waiter.TrySetCanceled(abandon);
            while (reader.TryRead(out var item)) item.Flush?.TrySetCanceled(abandon);
        }
    }

    private static void Take(ChannelReader<WorkItem> reader, List<UsageRecord> batch, List<TaskCompletionSource> waiters)
    {
        while (batch.Count < MaxBatchSize && reader.TryRead(out var item))
        {
            if (item.Flush is { } flush) waiters.Add(flush);
            else batch.Add(item.Record!);
        }
    }

    private async Task WriteWithRetryAsync(List<UsageRecord> batch, CancellationToken abandon)
    {
        var delay = InitialBackoff;
        var failures = 0;
        while (true)
        {
            try
            {
                await _thread.RunAsync(() => _store.WriteAsync(batch, abandon));
                if (failures > 0) LogRecovered(failures, batch.Count);
                _lastError = null;
                return;
            }
            catch (Exception ex) when (!abandon.IsCancellationRequested)
            {
                failures++;
                _lastError = $"{ex.GetType().Name}: {ex.Message}";
                LogWriteFailed(batch.Count, Pending, delay.TotalSeconds, _lastError);
                await Task.Delay(delay, _time, abandon);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }

    private void CountDrop()
    {
        var dropped = Interlocked.Increment(ref _dropped);
        var now = _time.GetTimestamp();
        var last = Interlocked.Read(ref _lastDropWarning);
        if (last != long.MinValue && _time.GetElapsedTime(last, now) < DropWarningInterval) return;
        if (Interlocked.CompareExchange(ref _lastDropWarning, now, last) == last)
            LogDropped(dropped, _channel.Reader.Count, _lastError);
    }

    // DI may dispose this singleton once per registration (sink, hosted service, itself): must be idempotent.
    // The token source is only cancelled, never disposed, since the loop may still observe it.
    public void Dispose()
    {
        _abandon.Cancel();
        _thread.Dispose();
    }

    private readonly record struct WorkItem(UsageRecord? Record, TaskCompletionSource? Flush);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Usage queue full: {Dropped} record(s) dropped so far ({Queued} queued; last store error: {LastError})")]
    private partial void LogDropped(long dropped, int queued, string? lastError);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing {Count} usage record(s) failed ({Pending} pending in memory); retrying in {DelaySeconds}s: {Error}")]
    private partial void LogWriteFailed(int count, int pending, double delaySeconds, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Usage store recovered after {Failures} failed attempt(s); wrote {Count} buffered record(s)")]
    private partial void LogRecovered(int failures, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Usage writer drained: {Written} record(s) written, {Dropped} dropped")]
    private partial void LogDrained(long written, long dropped);

    [LoggerMessage(Level = LogLevel.Error, Message = "Shutdown timeout: {Pending} usage record(s) could not be written (last store error: {LastError})")]
    private partial void LogDrainAbandoned(int pending, string? lastError);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Usage observer {Observer} threw; the record is still stored")]
    private partial void LogObserverFailed(Exception ex, string observer);

    [LoggerMessage(Level = LogLevel.Error, Message = "Recording usage failed; the record was dropped")]
    private partial void LogRecordFailed(Exception ex);
}
