using OnDemandGateway.Usage.Legacy;

namespace OnDemandGateway.Usage;

/// <summary>Migrates the schema, then imports the Flask proxy's history into an empty database, before the
/// host starts serving (<see cref="IHostedLifecycleService.StartingAsync"/> runs ahead of every StartAsync).
/// A database that cannot be reached fails start-up with the store's error, rather than serving without stats.</summary>
internal sealed class UsageDatabaseInitializer(IUsageStore store, LegacyStatsImporter importer) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        await store.MigrateAsync(cancellationToken);
        await importer.ImportIfEmptyAsync(cancellationToken);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
