using OnDemandGateway.Usage.Legacy;

namespace OnDemandGateway.Usage;

/// <summary>Migrates the schema, then imports the Flask proxy's history into an empty database, before the
/// host starts serving (<see cref="IHostedLifecycleService.StartingAsync"/> runs ahead of every StartAsync).
/// SQLite is a local file: if it cannot be opened, start-up fails with the store's error. PostgreSQL is a
/// server that may be down for a while: then the gateway starts anyway (usage records wait in the writer's
/// bounded buffer, <c>/health</c> says "degraded") and the migration is retried in the background.</summary>
internal sealed partial class UsageDatabaseInitializer(IUsageStore store, LegacyStatsImporter importer, TimeProvider time,
    ILogger<UsageDatabaseInitializer> logger) : BackgroundService, IHostedLifecycleService
{
    internal static readonly TimeSpan StartupAttempt = TimeSpan.FromSeconds(5);
    internal static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(10);

    private volatile bool _ready;
    private volatile string? _error;

    /// <summary>True once the schema is migrated (and any legacy import done).</summary>
    public bool Ready => _ready;
    /// <summary>Why the database is not ready yet (null when ready). No secrets: exception type and message.</summary>
    public string? Error => _error;

    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        if (store.Kind != "postgres")
        {
            await InitializeAsync(cancellationToken);
            return;
        }
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(StartupAttempt);
        await TryInitializeAsync(attempt.Token);
        if (!_ready) LogUnavailable(_error);
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (!_ready)
        {
            await Task.Delay(delay, time, stoppingToken);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
            await TryInitializeAsync(stoppingToken);
            if (_ready) LogReady();
        }
    }

    private async Task TryInitializeAsync(CancellationToken ct)
    {
        try
        {
            await InitializeAsync(ct);
        }
        catch (Exception ex) // any failure means "not ready yet"; the caller's loop decides whether to go on
        {
            _error = ex is OperationCanceledException ? "no answer from PostgreSQL" : $"{ex.GetType().Name}: {ex.Message}";
        }
    }

    private async Task InitializeAsync(CancellationToken ct)
    {
        await store.MigrateAsync(ct);
        await importer.ImportIfEmptyAsync(ct);
        _error = null;
        _ready = true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Usage database not ready at start ({Error}): serving anyway; usage records wait in memory and the migration is retried in the background")]
    private partial void LogUnavailable(string? error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Usage database ready: schema migrated; buffered usage records are being written")]
    private partial void LogReady();
}
