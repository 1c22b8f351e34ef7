using Npgsql;
using OnDemandGateway.Configuration;

namespace OnDemandGateway.Cluster;

/// <summary>
/// Brings the shared tables up and keeps them tidy. Before the host serves it tries once to create the schema;
/// if PostgreSQL is unreachable the instance starts anyway (rate limits and cooldowns per instance, reported
/// by <c>/health</c>) and this loop retries until the database answers. Then it reconciles a generated client
/// token that had to be taken from <c>DATA_DIR</c>, and every minute deletes rate windows that have ended.
/// </summary>
internal sealed partial class ClusterMaintenance(
    SharedDatabase database,
    ClusterState cluster,
    GatewayOptions options,
    TimeProvider time,
    ILogger<ClusterMaintenance> logger) : BackgroundService, IHostedLifecycleService
{
    public static readonly TimeSpan PruneInterval = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan StartupAttempt = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(10);

    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(StartupAttempt);
        await TryBringUpAsync(attempt.Token);
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (!cluster.Schema.IsShared)
        {
            await Task.Delay(delay, time, stoppingToken);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
            await TryBringUpAsync(stoppingToken);
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (cluster.ClientToken == ClientTokenOrigins.Local) await ReconcileTokenAsync(stoppingToken);
                await PruneAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogMaintenanceFailed(ex.GetType().Name, ex.Message);
            }
            await Task.Delay(PruneInterval, time, stoppingToken);
        }
    }

    private async Task TryBringUpAsync(CancellationToken ct)
    {
        try
        {
            await using (var connection = await database.OpenAsync(ct))
                await ClusterSchema.EnsureAsync(connection, ct);
            await database.WarmUpAsync(ct);
            var now = time.GetUtcNow();
            if (cluster.Schema.Recover(now)) LogSchemaReady();
            cluster.RateLimit.Recover(now);
            if (cluster.ClientToken == ClientTokenOrigins.Local) await ReconcileTokenAsync(ct);
        }
        catch (Exception ex) // any failure means "not up yet"; the caller's loop decides whether to go on
        {
            var error = ex is OperationCanceledException ? "no answer from PostgreSQL" : $"{ex.GetType().Name}: {ex.Message}";
            var now = time.GetUtcNow();
            cluster.RateLimit.Fail(error, now);
            cluster.Credentials.Fail(error, now);
            if (cluster.Schema.Fail(error, now)) LogUnavailableAtStart(error);
        }
    }

    /// <summary>This instance started with its DATA_DIR token while the database was away: offer it now. If
    /// another instance stored a different one meanwhile, clients of one will be refused by the other: say so.</summary>
    private async Task ReconcileTokenAsync(CancellationToken ct)
    {
        var token = options.ClientKeys.FirstOrDefault(k => k.Name == GeneratedClientToken.KeyName)?.Key;
        if (token is null) return;
        await using var connection = await database.OpenAsync(ct);
        var (shared, _) = await Task.Run(() => SharedClientToken.Offer(connection, token, time), ct);
        if (shared == token)
        {
            cluster.ClientToken = ClientTokenOrigins.Shared;
            LogTokenShared();
        }
        else
        {
            cluster.ClientToken = ClientTokenOrigins.Mismatch;
            LogTokenMismatch(GeneratedClientToken.PathIn(options.DataDir));
        }
    }

    private async Task PruneAsync(CancellationToken ct)
    {
        // Windows are one minute long; anything that ended over a minute ago can no longer be counted in.
        var cutoff = (time.GetUtcNow().ToUnixTimeSeconds() / 60 - 2) * 60_000;
        await using var connection = await database.OpenAsync(ct);
        await using var command = new NpgsqlCommand("DELETE FROM rate_windows WHERE window_start_ms < @cutoff", connection);
        command.Parameters.AddWithValue("cutoff", cutoff);
        await command.ExecuteNonQueryAsync(ct);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL unreachable at start ({Error}): serving anyway with per-instance rate limits and cooldowns; usage records wait in memory; retrying in the background")]
    private partial void LogUnavailableAtStart(string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Shared state ready in PostgreSQL (rate windows, credential state, settings)")]
    private partial void LogSchemaReady();

    [LoggerMessage(Level = LogLevel.Information, Message = "The generated client token is now shared through PostgreSQL")]
    private partial void LogTokenShared();

    [LoggerMessage(Level = LogLevel.Warning, Message = "This instance generated its own client token while PostgreSQL was unreachable, and the database holds another one. Restart this instance to use the shared token (it will replace {Path}), or set API_ACCESS_TOKEN on every instance")]
    private partial void LogTokenMismatch(string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shared-state maintenance failed ({Type}: {Message}); retrying in a minute")]
    private partial void LogMaintenanceFailed(string type, string message);
}
