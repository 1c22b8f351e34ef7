using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace OnDemandGateway.Logging;

/// <summary>Plugs <see cref="LogLineFormatter"/> into Microsoft's console logger, which already formats on the
/// calling thread and writes from a background queue.</summary>
internal sealed class GatewayConsoleFormatter(LogLineFormatter formatter) : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "gateway";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null) return;
        formatter.Write(textWriter, logEntry.LogLevel, logEntry.Category, message ?? "", logEntry.Exception, scopeProvider);
        textWriter.WriteLine();
    }
}
