namespace OnDemandGateway.Logging;

/// <summary>Translates between Python logging's level names (what Flask-proxy users put in LOG_LEVEL) and .NET's.</summary>
internal static class LogLevelNames
{
    public static bool TryParse(string? text, out LogLevel level)
    {
        level = (text ?? "").Trim().ToUpperInvariant() switch
        {
            "TRACE" => LogLevel.Trace,
            "DEBUG" => LogLevel.Debug,
            "INFO" or "INFORMATION" => LogLevel.Information,
            "WARNING" or "WARN" => LogLevel.Warning,
            "ERROR" => LogLevel.Error,
            "CRITICAL" or "FATAL" => LogLevel.Critical,
            "NONE" => LogLevel.None,
            _ => (LogLevel)(-1),
        };
        return level >= 0;
    }

    /// <summary>The level for <c>GatewayOptions.LogLevel</c>; unknown text falls back to Information (the loader
    /// has already rejected it; this only matters for hand-built options in tests).</summary>
    public static LogLevel Parse(string? text) => TryParse(text, out var level) ? level : LogLevel.Information;

    public static string PythonName(LogLevel level) => level switch
    {
        LogLevel.Trace => "TRACE",
        LogLevel.Debug => "DEBUG",
        LogLevel.Information => "INFO",
        LogLevel.Warning => "WARNING",
        LogLevel.Error => "ERROR",
        LogLevel.Critical => "CRITICAL",
        _ => "NOTSET",
    };

    public static int PythonNumber(LogLevel level) => level switch
    {
        LogLevel.Trace => 5,
        LogLevel.Debug => 10,
        LogLevel.Information => 20,
        LogLevel.Warning => 30,
        LogLevel.Error => 40,
        LogLevel.Critical => 50,
        _ => 0,
    };
}
