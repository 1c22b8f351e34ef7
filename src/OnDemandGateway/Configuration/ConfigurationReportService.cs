namespace OnDemandGateway.Configuration;

/// <summary>Logs configuration warnings and where the generated client token lives. Configuration is loaded
/// before logging is built (logging depends on it), so these lines wait for the host to start.</summary>
internal sealed partial class ConfigurationReportService(ConfigurationReport report, GatewayOptions options, ILogger<ConfigurationReportService> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.ConfigPath is { } path) LogConfigFile(path);
        foreach (var warning in report.Warnings) LogWarning(warning);
        if (report.GeneratedTokenPath is { } tokenPath && !report.GeneratedTokenCreated)
        {
            if (report.GeneratedTokenOrigin == Cluster.ClientTokenOrigins.Shared) LogSharedGeneratedToken(tokenPath);
            else LogGeneratedToken(tokenPath);
        }
        LogSummary(options.Credentials.Count, options.ClientKeys.Count);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Configuration read from {Path}")]
    private partial void LogConfigFile(string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Configuration: {Warning}")]
    private partial void LogWarning(string warning);

    [LoggerMessage(Level = LogLevel.Information, Message = "No client token configured: using the generated token stored in {Path}")]
    private partial void LogGeneratedToken(string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "No client token configured: using the generated token shared by every instance through PostgreSQL (table gateway_settings); this instance's copy is in {Path}")]
    private partial void LogSharedGeneratedToken(string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Credentials} upstream credential(s), {ClientKeys} client token(s) configured")]
    private partial void LogSummary(int credentials, int clientKeys);
}
