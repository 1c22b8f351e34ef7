using System.Threading.Channels;

namespace OnDemandGateway.Logging;

/// <summary>Appends log lines to <c>LOG_PATH</c>, rotated by size (<see cref="RotatingLogFile"/>). Callers only
/// format and enqueue; one background task writes and flushes whenever the queue runs dry, so a slow disk never
/// stalls a request. If the queue is full the line is dropped and counted, and the count is written to the file
/// once there is room.</summary>
[ProviderAlias("File")]
internal sealed class FileLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    public const int QueueCapacity = 10_000;
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

    private readonly Channel<string> _queue = Channel.CreateBounded<string>(
        new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly LogLineFormatter _formatter;
    private readonly RotatingLogFile _file;
    private readonly Task _pump;
    private IExternalScopeProvider? _scopes;
    private long _dropped;

    /// <param name="maxBytes">Rotate before the file would grow past this; 0 never rotates.</param>
    /// <param name="backups">Rotated files kept (<c>path.1</c> … <c>path.N</c>).</param>
    public FileLoggerProvider(string path, LogLineFormatter formatter, long maxBytes = 0, int backups = 1)
    {
        _formatter = formatter;
        _file = new RotatingLogFile(path, maxBytes, backups);
        _pump = Task.Run(PumpAsync);
    }

    public ILogger CreateLogger(string categoryName) => new FileLogger(categoryName, this);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    internal void Enqueue(LogLevel level, string category, string message, Exception? exception)
    {
        var line = _formatter.FormatLine(level, category, message, exception, _scopes);
        if (!_queue.Writer.TryWrite(line)) Interlocked.Increment(ref _dropped);
    }

    private async Task PumpAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var line)) await _file.WriteLineAsync(line).ConfigureAwait(false);
            var dropped = Interlocked.Exchange(ref _dropped, 0);
            if (dropped > 0) await _file.WriteLineAsync($"[file logger] {dropped} line(s) dropped: the log queue was full").ConfigureAwait(false);
            await _file.FlushAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Writes what is queued (bounded wait) and closes the file.</summary>
    public void Dispose()
    {
        _queue.Writer.TryComplete();
        try { _pump.Wait(DrainTimeout); }
        catch (AggregateException) { /* a failed disk write must not fail shutdown */ }
        _file.Dispose();
    }
}
