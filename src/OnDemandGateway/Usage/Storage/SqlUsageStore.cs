using System.Data.Common;
using Microsoft.Extensions.Logging;

namespace OnDemandGateway.Usage.Storage;

/// <summary>
/// The usage store written once for both engines: raw rows plus hourly/daily rollups updated in the same
/// transaction, statistics read from rollups only. Subclasses supply connections and locking.
/// </summary>
internal abstract partial class SqlUsageStore(SqlDialect dialect, TimeProvider time, ILogger logger) : IUsageStore, ILegacyImportTarget
{
    private readonly ILogger _logger = logger;

    protected SqlDialect Dialect { get; } = dialect;
    protected TimeProvider Time { get; } = time;

    public abstract string Kind { get; }

    /// <summary>An open connection with per-connection settings applied.</summary>
    protected abstract Task<DbConnection> OpenAsync(CancellationToken ct);

    /// <summary>A write transaction that also excludes other migrators/importers (other instances included).</summary>
    protected abstract Task<DbTransaction> BeginExclusiveAsync(DbConnection connection, CancellationToken ct);

    protected abstract Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken ct);

    /// <summary>A read transaction giving one consistent snapshot for the several statistics queries.</summary>
    protected abstract Task<DbTransaction> BeginReadAsync(DbConnection connection, CancellationToken ct);

    protected virtual Task BeforeMigrationAsync(DbConnection connection, CancellationToken ct) => Task.CompletedTask;

    public Task MigrateAsync(CancellationToken cancellationToken) => MigrateToAsync(int.MaxValue, cancellationToken);

    /// <summary>Applies the steps up to <paramref name="targetVersion"/> (tests start from an older schema with it).</summary>
    internal async Task MigrateToAsync(int targetVersion, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await BeforeMigrationAsync(connection, cancellationToken);
        await using var tx = await BeginExclusiveAsync(connection, cancellationToken);
        await Db.ExecuteAsync(connection, tx,
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL PRIMARY KEY, applied_at_ms BIGINT NOT NULL)", cancellationToken);
        var current = await Db.ScalarLongAsync(connection, tx, "SELECT COALESCE(MAX(version), 0) FROM schema_version", cancellationToken);
        var migrations = UsageSchema.Migrations(Dialect);
        for (var version = (int)current + 1; version <= Math.Min(migrations.Count, targetVersion); version++)
        {
            foreach (var statement in migrations[version - 1])
                await Db.ExecuteAsync(connection, tx, statement, cancellationToken);
            await Db.ExecuteAsync(connection, tx, "INSERT INTO schema_version (version, applied_at_ms) VALUES (@v, @t)", cancellationToken,
                ("v", version), ("t", Time.GetUtcNow().ToUnixTimeMilliseconds()));
            LogMigrated(Kind, version);
        }
        await tx.CommitAsync(cancellationToken);
    }

    /// <summary>Raw rows go in with multi-row statements (RETURNING names the rows actually inserted), then the
    /// rollup deltas of those rows are summed in memory and upserted once per distinct key, in one transaction.</summary>
    public virtual async Task WriteAsync(IReadOnlyList<UsageRecord> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0) return;
        await using var connection = await OpenAsync(cancellationToken);
        await using var tx = await BeginWriteAsync(connection, cancellationToken);

        var inserted = new HashSet<string>(batch.Count, StringComparer.Ordinal);
        DbCommand? insert = null;
        DbParameter[] parameters = [];
        try
        {
            for (var start = 0; start < batch.Count; start += Dialect.RowsPerInsert)
            {
                var rows = Math.Min(Dialect.RowsPerInsert, batch.Count - start);
                if (insert is null || parameters.Length != rows * UsageSql.RecordColumns.Length)
                {
                    if (insert is not null) await insert.DisposeAsync();
                    (insert, parameters) = InsertCommand(connection, tx, rows);
                }
                await InsertRecordsAsync(insert, parameters, batch, start, rows, inserted, cancellationToken);
            }
        }
        finally
        {
            if (insert is not null) await insert.DisposeAsync();
        }

        var rollups = new RollupBatch();
        var duplicates = 0;
        foreach (var record in batch)
        {
            // Remove, not Contains: two records with one request id in the same batch count once, as stored.
            if (!inserted.Remove(UsageSql.Clean(record.RequestId)!))
            {
                duplicates++;
                continue;
            }
            rollups.Add(record, UsageSql.Clean(record.Model)!, UsageSql.Clean(record.ClientKey)!, UsageSql.Clean(record.Credential),
                UsageSchema.ToNanoDollars(record.CostUsd));
        }

        await UpsertAsync(connection, tx, "usage_hourly", rollups.Hourly(), cancellationToken);
        await UpsertAsync(connection, tx, "usage_daily", rollups.Daily(), cancellationToken);
        await tx.CommitAsync(cancellationToken);
        if (duplicates > 0) LogDuplicates(duplicates);
    }

    /// <summary>A multi-row INSERT for <paramref name="rows"/> records, reused for every chunk of that size.</summary>
    private static (DbCommand, DbParameter[]) InsertCommand(DbConnection connection, DbTransaction tx, int rows)
    {
        var columns = UsageSql.RecordColumns.Length;
        var command = Db.Command(connection, tx, UsageSql.Insert(rows));
        var parameters = new DbParameter[rows * columns];
        for (var i = 0; i < parameters.Length; i++)
            parameters[i] = Db.AddParameter(command, UsageSql.RecordParameter(i / columns, i % columns), null);
        return (command, parameters);
    }

    private static async Task InsertRecordsAsync(DbCommand insert, DbParameter[] parameters, IReadOnlyList<UsageRecord> batch, int start, int rows,
        HashSet<string> inserted, CancellationToken ct)
    {
        for (var row = 0; row < rows; row++)
            BindRecord(parameters.AsSpan(row * UsageSql.RecordColumns.Length, UsageSql.RecordColumns.Length), batch[start + row]);
        if (rows == 1)
        {
            // A single row needs no result set: the affected-row count says whether it was new.
            if (await insert.ExecuteNonQueryAsync(ct) == 1) inserted.Add((string)parameters[0].Value!);
            return;
        }
        await using var reader = await insert.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) inserted.Add(reader.GetString(0));
    }

    private static void BindRecord(Span<DbParameter> p, UsageRecord r)
    {
        p[0].Value = UsageSql.Clean(r.RequestId);
        p[1].Value = r.Timestamp.ToUnixTimeMilliseconds();
        p[2].Value = UsageSql.Clean(r.ClientKey);
        p[3].Value = UsageSql.Clean(r.Model);
        p[4].Value = UsageSql.Clean(r.EndpointId);
        p[5].Value = (object?)UsageSql.Clean(r.Credential) ?? DBNull.Value;
        p[6].Value = r.Stream ? 1 : 0;
        p[7].Value = UsageSql.Name(r.Outcome);
        p[8].Value = r.HttpStatus;
        p[9].Value = r.PromptTokens;
        p[10].Value = r.CompletionTokens;
        p[11].Value = UsageSql.Name(r.TokenSource);
        p[12].Value = r.LatencyMs;
        p[13].Value = r.TimeToFirstTokenMs is { } ttft ? ttft : DBNull.Value;
        p[14].Value = UsageSchema.ToNanoDollars(r.CostUsd);
        p[15].Value = (object?)UsageSql.Clean(r.Error) ?? DBNull.Value;
    }

    public async Task PruneAsync(DateTimeOffset olderThan, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var deleted = await Db.ExecuteAsync(connection, null, "DELETE FROM usage_records WHERE ts_ms < @cut", cancellationToken,
            ("cut", olderThan.ToUnixTimeMilliseconds()));
        if (deleted > 0) LogPruned(deleted, olderThan);
    }

    public async Task<UsageStats> GetStatsAsync(StatsQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var tx = await BeginReadAsync(connection, cancellationToken);
        var stats = await new RollupReader(connection, tx, Time).ReadAsync(query, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return stats;
    }

    public async Task<RequestPage> GetRequestsAsync(RequestQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var tx = await BeginReadAsync(connection, cancellationToken);
        var page = await RecordReader.ReadPageAsync(connection, tx, query, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return page;
    }

    public async Task<bool> ImportLegacyAsync(IReadOnlyList<RollupRow> hourly, IReadOnlyList<RollupRow> daily, string summary, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var tx = await BeginExclusiveAsync(connection, cancellationToken);
        // Checked under the exclusive lock so two instances starting at once cannot both import.
        var existing = await Db.ScalarLongAsync(connection, tx, """
            SELECT (SELECT COUNT(*) FROM usage_meta WHERE name = 'legacy_import')
                 + (SELECT COUNT(*) FROM (SELECT 1 FROM usage_records LIMIT 1) r)
                 + (SELECT COUNT(*) FROM (SELECT 1 FROM usage_daily LIMIT 1) d)
                 + (SELECT COUNT(*) FROM (SELECT 1 FROM usage_hourly LIMIT 1) h)
            """, cancellationToken);
        if (existing > 0) return false;

        await UpsertAsync(connection, tx, "usage_hourly", hourly, cancellationToken);
        await UpsertAsync(connection, tx, "usage_daily", daily, cancellationToken);
        await Db.ExecuteAsync(connection, tx, "INSERT INTO usage_meta (name, value) VALUES ('legacy_import', @v)", cancellationToken,
            ("v", $"{Time.GetUtcNow():O} {summary}"));
        await tx.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>Adds the batch's summed deltas to the rollup rows: atomic increments, so instances writing the
    /// same rows concurrently never lose each other's counts. Several rows per statement on PostgreSQL (the keys
    /// are distinct after summing, so no row is touched twice by one statement).</summary>
    private async Task UpsertAsync(DbConnection connection, DbTransaction tx, string table, IEnumerable<RollupRow> rows, CancellationToken ct)
    {
        // A fixed key order means two instances upserting overlapping keys lock rows in the same order (no deadlock).
        var ordered = rows.OrderBy(r => r.BucketStartMs).ThenBy(r => r.Model, StringComparer.Ordinal)
            .ThenBy(r => r.ClientKey, StringComparer.Ordinal).ThenBy(r => r.Credential, StringComparer.Ordinal)
            .ThenBy(r => r.Scope, StringComparer.Ordinal).ToList();
        DbCommand? command = null;
        DbParameter[] parameters = [];
        try
        {
            for (var start = 0; start < ordered.Count; start += Dialect.RowsPerInsert)
            {
                var count = Math.Min(Dialect.RowsPerInsert, ordered.Count - start);
                var columns = UsageSql.RollupColumns.Length;
                if (command is null || parameters.Length != count * columns)
                {
                    if (command is not null) await command.DisposeAsync();
                    command = Db.Command(connection, tx, UsageSql.Upsert(Dialect, table, count));
                    parameters = new DbParameter[count * columns];
                    for (var i = 0; i < parameters.Length; i++)
                        parameters[i] = Db.AddParameter(command, UsageSql.RollupParameter(i / columns, i % columns), null);
                }
                for (var row = 0; row < count; row++) BindRollup(parameters.AsSpan(row * columns, columns), ordered[start + row]);
                await command.ExecuteNonQueryAsync(ct);
            }
        }
        finally
        {
            if (command is not null) await command.DisposeAsync();
        }
    }

    private static void BindRollup(Span<DbParameter> p, RollupRow row)
    {
        var i = 0;
        p[i++].Value = row.BucketStartMs;
        p[i++].Value = row.Model;
        p[i++].Value = row.ClientKey;
        p[i++].Value = row.Credential;
        p[i++].Value = row.Scope;
        p[i++].Value = row.Requests;
        p[i++].Value = row.Successes;
        p[i++].Value = row.PromptTokens;
        p[i++].Value = row.CompletionTokens;
        p[i++].Value = row.CostNanoUsd;
        p[i++].Value = row.LatencyCount;
        p[i++].Value = row.LatencySumMs;
        p[i++].Value = row.TtftCount;
        p[i++].Value = row.TtftSumMs;
        foreach (var count in row.Histogram) p[i++].Value = count;
        p[i].Value = row.LatencyMaxMs;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Usage store ({Kind}) migrated to schema version {Version}")]
    private partial void LogMigrated(string kind, int version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} usage record(s) skipped: their request id was already stored (a retried batch, or a non-unique request id)")]
    protected partial void LogDuplicates(int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pruned {Count} raw usage record(s) older than {Cutoff:O}; rollups kept")]
    private partial void LogPruned(int count, DateTimeOffset cutoff);
}
