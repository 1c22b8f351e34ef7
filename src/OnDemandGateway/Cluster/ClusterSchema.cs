using Npgsql;

namespace OnDemandGateway.Cluster;

/// <summary>
/// The tables several instances share besides usage (PostgreSQL only). Idempotent DDL under the same advisory
/// lock as the usage migrations, so instances starting together create them once; later changes are added as
/// new idempotent statements (<c>ADD COLUMN IF NOT EXISTS</c>), never by editing these.
/// Times are BIGINT Unix milliseconds UTC, as in the usage schema.
/// </summary>
internal static class ClusterSchema
{
    /// <summary>The usage store's migration lock ("odgusage"): all DDL of the gateway runs one instance at a time.</summary>
    public const long LockKey = Usage.Storage.PostgresUsageStore.MigrationLockKey;

    private static readonly string[] Statements =
    [
        // One row per (client key, minute window); the limiter's single atomic upsert counts here.
        """
        CREATE TABLE IF NOT EXISTS rate_windows (
            client_key TEXT NOT NULL,
            window_start_ms BIGINT NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (client_key, window_start_ms))
        """,
        // Keyed by a hash of the credential (never the secret); change_seq is the row's version, so a poller
        // applies only rows that changed since it last looked.
        "CREATE SEQUENCE IF NOT EXISTS credential_state_seq",
        """
        CREATE TABLE IF NOT EXISTS credential_state (
            credential_id TEXT NOT NULL PRIMARY KEY,
            cooling_until_ms BIGINT NOT NULL DEFAULT 0,
            invalid_since_ms BIGINT NULL,
            last_error TEXT NULL,
            updated_at_ms BIGINT NOT NULL,
            change_seq BIGINT NOT NULL)
        """,
        """
        CREATE TABLE IF NOT EXISTS gateway_settings (
            name TEXT NOT NULL PRIMARY KEY,
            value TEXT NOT NULL,
            updated_at_ms BIGINT NOT NULL)
        """,
    ];

    public static async Task EnsureAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", connection, tx))
        {
            lockCommand.Parameters.AddWithValue("key", LockKey);
            await lockCommand.ExecuteNonQueryAsync(ct);
        }
        foreach (var sql in Statements)
        {
            await using var command = new NpgsqlCommand(sql, connection, tx);
            await command.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
    }

    /// <summary>Synchronous twin for start-up code that runs before the host (the generated client token).</summary>
    public static void Ensure(NpgsqlConnection connection)
    {
        using var tx = connection.BeginTransaction();
        using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", connection, tx))
        {
            lockCommand.Parameters.AddWithValue("key", LockKey);
            lockCommand.ExecuteNonQuery();
        }
        foreach (var sql in Statements)
        {
            using var command = new NpgsqlCommand(sql, connection, tx);
            command.ExecuteNonQuery();
        }
        tx.Commit();
    }
}
