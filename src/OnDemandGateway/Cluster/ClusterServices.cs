using OnDemandGateway.Accounts;
using OnDemandGateway.Configuration;
using OnDemandGateway.RateLimiting;
using OnDemandGateway.Usage.Storage;

namespace OnDemandGateway.Cluster;

internal static class ClusterServices
{
    /// <summary>Shared state for several instances on one PostgreSQL (<c>DATABASE_URL</c>): exact rate-limit
    /// windows, credential cooldowns and invalid flags, the generated client token. With SQLite only
    /// <see cref="ClusterState"/> is registered (not clustered). Must run before <c>AddRelay</c>, whose
    /// single-instance defaults are registered only when nothing else is.</summary>
    public static IHostApplicationBuilder AddCluster(this IHostApplicationBuilder builder, GatewayOptions options)
    {
        var services = builder.Services;
        var target = GatewayConfigurationExtensions.ParseDatabaseTarget(options);
        var clustered = target.Kind == DatabaseKind.Postgres;
        services.AddSingleton(sp => new ClusterState(clustered)
        {
            ClientToken = sp.GetRequiredService<ConfigurationReport>().GeneratedTokenOrigin ?? ClientTokenOrigins.Configured,
        });
        if (!clustered) return builder;

        services.AddSingleton(_ => new SharedDatabase(target.Location));
        services.AddSingleton<FixedWindowRateLimiter>();
        services.AddSingleton<IRateLimitPolicy, SharedWindowRateLimiter>();
        services.AddSingleton<CredentialStateSync>();
        services.AddSingleton<ICredentialStateSync>(sp => sp.GetRequiredService<CredentialStateSync>());
        services.AddHostedService<ClusterMaintenance>();
        services.AddHostedService(sp => sp.GetRequiredService<CredentialStateSync>());
        return builder;
    }
}
