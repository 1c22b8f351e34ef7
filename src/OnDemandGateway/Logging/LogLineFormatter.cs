using System.Globalization;
using Field = OnDemandGateway.Logging.LogLineFormat.Field;

namespace OnDemandGateway.Logging;

/// <summary>Renders one log line in a <see cref="LogLineFormat"/>, shared by the console and file loggers so
/// both print the same thing. Time comes from <see cref="TimeProvider"/> (local time, as Python's asctime).</summary>
internal sealed class LogLineFormatter(LogLineFormat format, TimeProvider time)
{
    private const string Missing = "-";
    private static readonly int ProcessId = Environment.ProcessId;

    public LogLineFormat Format { get; } = format;

    public void Write(TextWriter writer, LogLevel level, string category, string message, Exception? exception, IExternalScopeProvider? scopes)
    {
        var now = time.GetLocalNow();
        var requestId = Format.UsesRequestId ? FindRequestId(scopes) : null;
        foreach (var segment in Format.Segments)
        {
            switch (segment.Field)
            {
                case Field.Literal: writer.Write(segment.Text); break;
                case Field.AscTime: Pad(writer, segment, now.ToString("yyyy-MM-dd HH:mm:ss,fff", CultureInfo.InvariantCulture)); break;
                case Field.Created: Pad(writer, segment, (now.ToUnixTimeMilliseconds() / 1000.0).ToString("F" + (segment.Precision < 0 ? 6 : segment.Precision), CultureInfo.InvariantCulture)); break;
                case Field.Msecs: Pad(writer, segment, now.Millisecond.ToString(CultureInfo.InvariantCulture)); break;
                case Field.Name: Pad(writer, segment, category); break;
                case Field.LevelName: Pad(writer, segment, LogLevelNames.PythonName(level)); break;
                case Field.LevelNo: Pad(writer, segment, LogLevelNames.PythonNumber(level).ToString(CultureInfo.InvariantCulture)); break;
                case Field.Message: Pad(writer, segment, message); break;
                case Field.RequestId: Pad(writer, segment, requestId ?? Missing); break;
                case Field.Process: Pad(writer, segment, ProcessId.ToString(CultureInfo.InvariantCulture)); break;
                case Field.Thread: Pad(writer, segment, Environment.CurrentManagedThreadId.ToString(CultureInfo.InvariantCulture)); break;
                case Field.ThreadName: Pad(writer, segment, Thread.CurrentThread.Name ?? Missing); break;
                default: Pad(writer, segment, Missing); break;
            }
        }
        // Like Python's logging: the traceback follows the message on its own lines.
        if (exception is not null)
        {
            writer.WriteLine();
            writer.Write(exception.ToString());
        }
    }

    public string FormatLine(LogLevel level, string category, string message, Exception? exception, IExternalScopeProvider? scopes)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        Write(writer, level, category, message, exception, scopes);
        return writer.ToString();
    }

    /// <summary>The innermost request id in the current scopes, if any.</summary>
    private static string? FindRequestId(IExternalScopeProvider? scopes)
    {
        if (scopes is null) return null;
        var found = new StrongBox();
        scopes.ForEachScope(static (scope, box) => { if (scope is RequestIdScope r) box.Value = r.RequestId; }, found);
        return found.Value;
    }

    private static void Pad(TextWriter writer, in LogLineFormat.Segment segment, string value)
    {
        // A string precision truncates (%.10s); numeric precision was applied by the caller.
        if (segment.Precision >= 0 && segment.Field is not Field.Created && value.Length > segment.Precision)
            value = value[..segment.Precision];
        var padding = segment.Width - value.Length;
        if (padding <= 0) { writer.Write(value); return; }
        if (segment.LeftAlign) { writer.Write(value); writer.Write(new string(' ', padding)); return; }
        writer.Write(new string(segment.ZeroPad ? '0' : ' ', padding));
        writer.Write(value);
    }

    private sealed class StrongBox { public string? Value; }
}
