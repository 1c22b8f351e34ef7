using Microsoft.Extensions.Logging;
using OnDemandGateway.Configuration;

namespace OnDemandGateway.Usage;

/// <summary>Deletes raw records older than <see cref="GatewayOptions.UsageRetentionDays"/> at start-up and then
/// once a day; rollups are kept forever, so totals and charts keep their history.</summary>
internal sealed partial class UsagePruner(IUsageStore store, GatewayOptions options, TimeProvider time, ILogger<UsagePruner> logger) : BackgroundService
{
    internal static readonly TimeSpan Interval = TimeSpan.FromDays(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.UsageRetentionDays <= 0) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await store.PruneAsync(time.GetUtcNow() - TimeSpan.FromDays(options.UsageRetentionDays), stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogPruneFailed(ex);
            }
            try { await Task.Delay(Interval, time, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pruning old usage records failed; will try again tomorrow")]
    private partial void LogPruneFailed(Exception ex);
}
