using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OnDemandGateway.Configuration;

namespace OnDemandGateway.Usage.Storage;

/// <summary>Picks the store from <see cref="GatewayOptions.DatabaseUrl"/> (see <see cref="DatabaseTarget.Parse"/>).</summary>
internal static class UsageStoreFactory
{
    /// <exception cref="InvalidOperationException">DATABASE_URL cannot be used (message without the password).</exception>
    public static SqlUsageStore Create(GatewayOptions options, TimeProvider? time = null, ILoggerFactory? loggers = null)
    {
        time ??= TimeProvider.System;
        loggers ??= NullLoggerFactory.Instance;
        var target = DatabaseTarget.Parse(options.DatabaseUrl, options.DataDir);
        return target.Kind switch
        {
            DatabaseKind.Sqlite => new SqliteUsageStore(target.Location, time, loggers.CreateLogger<SqliteUsageStore>()),
            _ => new PostgresUsageStore(target.Location, time, loggers.CreateLogger<PostgresUsageStore>()),
        };
    }
}
