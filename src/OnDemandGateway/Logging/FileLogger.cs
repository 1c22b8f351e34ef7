namespace OnDemandGateway.Logging;

/// <summary>One category's logger for <see cref="FileLoggerProvider"/>. Level filtering happens in the logger
/// factory before <see cref="Log"/> is reached, so a disabled level costs one check and no formatting.</summary>
internal sealed class FileLogger(string category, FileLoggerProvider provider) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel)) return;
        provider.Enqueue(logLevel, category, formatter(state, exception), exception);
    }
}
