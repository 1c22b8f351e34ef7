using System.Text.Json;
using Microsoft.Extensions.Logging;
using OnDemandGateway.Configuration;
using OnDemandGateway.Usage.Storage;

namespace OnDemandGateway.Usage.Legacy;

/// <summary>On first start with an empty database, imports the Flask proxy's <c>stats_data.json</c>
/// (<see cref="GatewayOptions.StatsFilePath"/>, relative to the current directory) so migrating users keep
/// their history. The store checks emptiness and marks the import in one transaction: never twice.</summary>
internal sealed partial class LegacyStatsImporter(GatewayOptions options, IUsageStore store, TimeProvider time, ILogger<LegacyStatsImporter> logger)
{
    private readonly ILogger _logger = logger;

    /// <summary>True when history was imported by this call.</summary>
    public async Task<bool> ImportIfEmptyAsync(CancellationToken cancellationToken)
    {
        if (store is not ILegacyImportTarget target || string.IsNullOrWhiteSpace(options.StatsFilePath)) return false;
        var path = Path.GetFullPath(options.StatsFilePath);
        if (!File.Exists(path)) return false;

        LegacyStats stats;
        try
        {
            stats = LegacyStatsReader.Read(await File.ReadAllTextAsync(path, cancellationToken));
        }
        catch (Exception ex) when (ex is JsonException or FormatException or IOException or UnauthorizedAccessException)
        {
            LogUnreadable(path, ex.Message);
            return false;
        }
        if (stats.IsEmpty)
        {
            LogNothingToImport(path);
            return false;
        }

        var (hourly, daily) = LegacyRollups.Build(stats, time.GetUtcNow());
        if (!await target.ImportLegacyAsync(hourly, daily, stats.ToString(), cancellationToken))
        {
            LogNotEmpty(path);
            return false;
        }
        LogImported(path, stats.ToString());
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Imported legacy statistics from {Path} as client key 'legacy-import': {Summary}")]
    private partial void LogImported(string path, string summary);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Legacy statistics in {Path} not imported: the usage database already has data or an earlier import")]
    private partial void LogNotEmpty(string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Legacy statistics file {Path} could not be read and was not imported: {Reason}")]
    private partial void LogUnreadable(string path, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Legacy statistics file {Path} holds no figures we recognise; nothing imported")]
    private partial void LogNothingToImport(string path);
}
