using System.Data.Common;
using Microsoft.Extensions.Logging;

namespace OnDemandGateway.Usage.Storage;

/// <summary>
/// The usage store written once for both engines: raw rows plus hourly/daily rollups updated in the same
/// transaction, statistics read from rollups only. Subclasses supply connections and locking.
/// </summary>
internal abstract partial class SqlUsageStore(SqlDialect dialect, TimeProvider time, ILogger logger) : IUsageStore, ILegacyImportTarget
{
    private static readonly string[] RecordColumns =
        ["request_id", "ts_ms", "client_key", "model", "endpoint_id", "credential", "stream", "outcome",
         "http_status", "prompt_tokens", "completion_tokens", "token_source", "latency_ms", "ttft_ms", "cost_nusd", "error"];

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

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await BeforeMigrationAsync(connection, cancellationToken);
        await using var tx = await BeginExclusiveAsync(connection, cancellationToken);
        await Db.ExecuteAsync(connection, tx,
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL PRIMARY KEY, applied_at_ms BIGINT NOT NULL)", cancellationToken);
        var current = await Db.ScalarLongAsync(connection, tx, "SELECT COALESCE(MAX(version), 0) FROM schema_version", cancellationToken);
        var migrations = UsageSchema.Migrations(Dialect);
        for (var version = (int)current + 1; version <= migrations.Count; version++)
        {
            foreach (var statement in migrations[version - 1])
                await Db.ExecuteAsync(connection, tx, statement, cancellationToken);
            await Db.ExecuteAsync(connection, tx, "INSERT INTO schema_version (version, applied_at_ms) VALUES (@v, @t)", cancellationToken,
                ("v", version), ("t", Time.GetUtcNow().ToUnixTimeMilliseconds()));
            LogMigrated(Kind, version);
        }
        await tx.CommitAsync(cancellationToken);
    }

    public async Task WriteAsync(IReadOnlyList<UsageRecord> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0) return;
        await using var connection = await OpenAsync(cancellationToken);
        await using var tx = await BeginWriteAsync(connection, cancellationToken);

        // Raw rows go in with multi-row statements; RETURNING names the rows actually inserted, so a record
        // already stored (a batch retried after a lost commit acknowledgement) adds nothing to the rollups.
        var inserted = new HashSet<string>(StringComparer.Ordinal);
        var commands = new Dictionary<int, (DbCommand Command, DbParameter[] Parameters)>();
        try
        {
            for (var start = 0; start < batch.Count; start += Dialect.RowsPerInsert)
            {
                var rows = Math.Min(Dialect.RowsPerInsert, batch.Count - start);
                if (!commands.TryGetValue(rows, out var insert)) commands[rows] = insert = InsertCommand(connection, tx, rows);
                await InsertRecordsAsync(insert.Command, insert.Parameters, batch, start, rows, inserted, cancellationToken);
            }
        }
        finally
        {
            foreach (var (command, _) in commands.Values) await command.DisposeAsync();
        }

        // Rollup deltas are summed in memory first: one upsert per distinct (bucket, model, key, credential).
        var hourly = new Dictionary<(long, string, string, string, string), RollupRow>();
        var daily = new Dictionary<(long, string, string, string, string), RollupRow>();
        var duplicates = 0;
        foreach (var record in batch)
        {
            // Remove, not Contains: two records with one request id in the same batch count once, as stored.
            if (!inserted.Remove(Clean(record.RequestId)!))
            {
                duplicates++;
                continue;
            }
            Accumulate(hourly, RollupRow.HourStart(record.Timestamp), record);
            Accumulate(daily, RollupRow.DayStart(record.Timestamp), record);
        }

        await UpsertAsync(connection, tx, "usage_hourly", hourly.Values, cancellationToken);
        await UpsertAsync(connection, tx, "usage_daily", daily.Values, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        if (duplicates > 0) LogDuplicates(duplicates);
    }

    /// <summary>A multi-row INSERT for <paramref name="rows"/> records, reused for every chunk of that size
    /// (with one row per statement, as on SQLite, that is one prepared statement for the whole batch).</summary>
    private static (DbCommand, DbParameter[]) InsertCommand(DbConnection connection, DbTransaction tx, int rows)
    {
        var command = Db.Command(connection, tx, InsertSql(rows));
        var parameters = new DbParameter[rows * RecordColumns.Length];
        for (var i = 0; i < parameters.Length; i++)
            parameters[i] = Db.AddParameter(command, $"p{i / RecordColumns.Length}_{i % RecordColumns.Length}", null);
        return (command, parameters);
    }

    private static async Task InsertRecordsAsync(DbCommand insert, DbParameter[] parameters, IReadOnlyList<UsageRecord> batch, int start, int rows,
        HashSet<string> inserted, CancellationToken ct)
    {
        for (var row = 0; row < rows; row++)
        {
            var values = RecordValues(batch[start + row]);
            for (var column = 0; column < values.Length; column++)
                parameters[row * values.Length + column].Value = values[column] ?? DBNull.Value;
        }
        if (rows == 1)
        {
            // A single row needs no result set: the affected-row count says whether it was new.
            if (await insert.ExecuteNonQueryAsync(ct) == 1) inserted.Add((string)parameters[0].Value!);
            return;
        }
        await using var reader = await insert.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) inserted.Add(reader.GetString(0));
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, string> InsertSqlByRows = new();

    private static string InsertSql(int rows) => InsertSqlByRows.GetOrAdd(rows, static n =>
    {
        var sql = new System.Text.StringBuilder($"INSERT INTO usage_records ({string.Join(", ", RecordColumns)}) VALUES ");
        for (var row = 0; row < n; row++)
        {
            sql.Append(row == 0 ? "(" : ", (");
            sql.AppendJoin(", ", Enumerable.Range(0, RecordColumns.Length).Select(c => $"@p{row}_{c}"));
            sql.Append(')');
        }
        return sql.Append(" ON CONFLICT (request_id) DO NOTHING RETURNING request_id").ToString();
    });

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

    private static object?[] RecordValues(UsageRecord r) =>
    [
        Clean(r.RequestId), r.Timestamp.ToUnixTimeMilliseconds(), Clean(r.ClientKey), Clean(r.Model), Clean(r.EndpointId),
        Clean(r.Credential), r.Stream ? 1 : 0, r.Outcome.ToString(), r.HttpStatus, r.PromptTokens, r.CompletionTokens,
        r.TokenSource.ToString(), r.LatencyMs, r.TimeToFirstTokenMs, UsageSchema.ToNanoDollars(r.CostUsd), Clean(r.Error),
    ];

    // PostgreSQL rejects NUL in text; one such character must not poison a batch that is then retried forever.
    private static string? Clean(string? value) => value?.Replace("\0", "", StringComparison.Ordinal);

    private static void Accumulate(Dictionary<(long, string, string, string, string), RollupRow> rows, long bucket, UsageRecord record)
    {
        var (model, clientKey, credential) = (Clean(record.Model)!, Clean(record.ClientKey)!, Clean(record.Credential) ?? "");
        var key = (bucket, model, clientKey, credential, RollupScope.All);
        if (!rows.TryGetValue(key, out var row))
            rows[key] = row = new RollupRow(bucket, model, clientKey, credential, RollupScope.All);
        row.Add(record);
    }

    private static readonly string[] RollupKeys = ["bucket_start_ms", "model", "client_key", "credential", "scope"];
    private static readonly string[] RollupSums = ["requests", "successes", "prompt_tokens", "completion_tokens", "cost_nusd",
        "latency_count", "latency_sum_ms", "ttft_count", "ttft_sum_ms", .. LatencyHistogram.Columns];
    private static readonly string[] RollupColumns = [.. RollupKeys, .. RollupSums, "latency_max_ms"];

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
                if (command is null || parameters.Length != count * RollupColumns.Length)
                {
                    if (command is not null) await command.DisposeAsync();
                    command = Db.Command(connection, tx, UpsertSql(table, count));
                    parameters = new DbParameter[count * RollupColumns.Length];
                    for (var i = 0; i < parameters.Length; i++)
                        parameters[i] = Db.AddParameter(command, $"r{i / RollupColumns.Length}_{i % RollupColumns.Length}", null);
                }
                for (var row = 0; row < count; row++) BindRollup(parameters.AsSpan(row * RollupColumns.Length, RollupColumns.Length), ordered[start + row]);
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
        object[] values =
        [
            row.BucketStartMs, row.Model, row.ClientKey, row.Credential, row.Scope,
            row.Requests, row.Successes, row.PromptTokens, row.CompletionTokens, row.CostNanoUsd,
            row.LatencyCount, row.LatencySumMs, row.TtftCount, row.TtftSumMs, .. row.Histogram.Select(h => (object)h),
            row.LatencyMaxMs,
        ];
        for (var i = 0; i < p.Length; i++) p[i].Value = values[i];
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string Greatest, string Table, int Rows), string> UpsertSqlByRows = new();

    private string UpsertSql(string table, int rows) => UpsertSqlByRows.GetOrAdd((Dialect.Greatest, table, rows), static key =>
    {
        var (greatest, t, n) = key;
        var values = string.Join(", ", Enumerable.Range(0, n).Select(row =>
            "(" + string.Join(", ", Enumerable.Range(0, RollupColumns.Length).Select(c => $"@r{row}_{c}")) + ")"));
        return $"""
            INSERT INTO {t} ({string.Join(", ", RollupColumns)}) VALUES {values}
            ON CONFLICT ({string.Join(", ", RollupKeys)}) DO UPDATE SET
            {string.Join(", ", RollupSums.Select(c => $"{c} = {t}.{c} + excluded.{c}"))},
            latency_max_ms = {greatest}({t}.latency_max_ms, excluded.latency_max_ms)
            """;
    });

    [LoggerMessage(Level = LogLevel.Information, Message = "Usage store ({Kind}) migrated to schema version {Version}")]
    private partial void LogMigrated(string kind, int version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} usage record(s) skipped: their request id was already stored (a retried batch, or a non-unique request id)")]
    private partial void LogDuplicates(int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pruned {Count} raw usage record(s) older than {Cutoff:O}; rollups kept")]
    private partial void LogPruned(int count, DateTimeOffset cutoff);
}
