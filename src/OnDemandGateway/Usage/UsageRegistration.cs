using Microsoft.Extensions.DependencyInjection.Extensions;
using OnDemandGateway.Usage.Legacy;
using OnDemandGateway.Usage.Storage;

namespace OnDemandGateway.Usage;

public static class UsageRegistration
{
    /// <summary>Durable usage accounting: the store picked from <c>DATABASE_URL</c> (migrated, and seeded from the
    /// Flask proxy's stats file, before serving), <see cref="CostCalculator"/>, and <see cref="UsageWriter"/> as
    /// <see cref="IUsageSink"/> plus hosted service (drains on shutdown). Needs <c>GatewayOptions</c> registered.</summary>
    public static IHostApplicationBuilder AddUsage(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IUsageStore>(sp => UsageStoreFactory.Create(
            sp.GetRequiredService<Configuration.GatewayOptions>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<CostCalculator>();
        services.AddSingleton<LegacyStatsImporter>();
        services.AddSingleton<UsageWriter>();
        services.AddSingleton<IUsageSink>(sp => sp.GetRequiredService<UsageWriter>());
        services.AddSingleton<Api.IUsageFlusher>(sp => sp.GetRequiredService<UsageWriter>());
        // Order matters: the initializer's StartingAsync migrates before anything else starts.
        services.AddSingleton<UsageDatabaseInitializer>();
        services.AddHostedService(sp => sp.GetRequiredService<UsageDatabaseInitializer>());
        services.AddHostedService(sp => sp.GetRequiredService<UsageWriter>());
        services.AddHostedService<UsagePruner>();
        return builder;
    }
}
