using System.Data;
using System.Data.Common;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace OnDemandGateway.Usage.Storage;

/// <summary>PostgreSQL store for several gateway instances sharing one database (then all stats are shared).</summary>
internal sealed class PostgresUsageStore(string connectionString, TimeProvider time, ILogger<PostgresUsageStore> logger)
    : SqlUsageStore(SqlDialect.Postgres, time, logger), IAsyncDisposable, IDisposable
{
    /// <summary>Advisory lock key for schema migration and legacy import ("odgusage" in ASCII).</summary>
    internal const long MigrationLockKey = 0x6F64677573616765;

    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(connectionString);

    public override string Kind => "postgres";

    protected override async Task<DbConnection> OpenAsync(CancellationToken ct) => await _dataSource.OpenConnectionAsync(ct);

    // A transaction-scoped advisory lock: released by commit or rollback, even if this instance dies,
    // so instances starting together migrate one after the other.
    protected override async Task<DbTransaction> BeginExclusiveAsync(DbConnection connection, CancellationToken ct)
    {
        var tx = await connection.BeginTransactionAsync(ct);
        await Db.ExecuteAsync(connection, tx, "SELECT pg_advisory_xact_lock(@key)", ct, ("key", MigrationLockKey));
        return tx;
    }

    // Rollup upserts are atomic increments (INSERT ... ON CONFLICT DO UPDATE SET x = x + EXCLUDED.x), so
    // concurrent writers from several instances need no more than READ COMMITTED.
    protected override async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken ct) =>
        await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);

    protected override async Task<DbTransaction> BeginReadAsync(DbConnection connection, CancellationToken ct) =>
        await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    public void Dispose() => _dataSource.Dispose();
}
