using System.Data.Common;
using Microsoft.Extensions.Logging;

namespace OnDemandGateway.Usage.Storage;

/// <summary>
/// The usage store written once for both engines: raw rows plus hourly/daily rollups updated in the same
/// transaction, statistics read from rollups only. Subclasses supply connections and locking.
/// </summary>
internal abstract partial class SqlUsageStore(SqlDialect dialect, TimeProvider time, ILogger logger) : IUsageStore, ILegacyImportTarget
{
    private const string InsertRecordSql = """
        INSERT INTO usage_records (request_id, ts_ms, client_key, model, endpoint_id, credential, stream, outcome,
            http_status, prompt_tokens, completion_tokens, token_source, latency_ms, ttft_ms, cost_nusd, error)
        VALUES (@request_id, @ts_ms, @client_key, @model, @endpoint_id, @credential, @stream, @outcome,
            @http_status, @prompt_tokens, @completion_tokens, @token_source, @latency_ms, @ttft_ms, @cost_nusd, @error)
        ON CONFLICT (request_id) DO NOTHING
        """;

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
        await using var insert = Db.Command(connection, tx, InsertRecordSql);
        var parameters = RecordColumns.Select(c => Db.AddParameter(insert, c, null)).ToArray();

        var hourly = new Dictionary<(long, string, string, string, string), RollupRow>();
        var daily = new Dictionary<(long, string, string, string, string), RollupRow>();
        var duplicates = 0;
        foreach (var record in batch)
        {
            BindRecord(parameters, record);
            if (await insert.ExecuteNonQueryAsync(cancellationToken) == 0)
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

    private static void BindRecord(DbParameter[] p, UsageRecord r)
    {
        object?[] values =
        [
            Clean(r.RequestId), r.Timestamp.ToUnixTimeMilliseconds(), Clean(r.ClientKey), Clean(r.Model), Clean(r.EndpointId),
            Clean(r.Credential), r.Stream ? 1 : 0, r.Outcome.ToString(), r.HttpStatus, r.PromptTokens, r.CompletionTokens,
            r.TokenSource.ToString(), r.LatencyMs, r.TimeToFirstTokenMs, UsageSchema.ToNanoDollars(r.CostUsd), Clean(r.Error),
        ];
        for (var i = 0; i < p.Length; i++) p[i].Value = values[i] ?? DBNull.Value;
    }

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

    private async Task UpsertAsync(DbConnection connection, DbTransaction tx, string table, IEnumerable<RollupRow> rows, CancellationToken ct)
    {
        string[] sums = ["requests", "successes", "prompt_tokens", "completion_tokens", "cost_nusd", "latency_count",
            "latency_sum_ms", "ttft_count", "ttft_sum_ms", .. LatencyHistogram.Columns];
        string[] keys = ["bucket_start_ms", "model", "client_key", "credential", "scope"];
        string[] all = [.. keys, .. sums, "latency_max_ms"];
        var sql = $"""
            INSERT INTO {table} ({string.Join(", ", all)}) VALUES ({string.Join(", ", all.Select(c => "@" + c))})
            ON CONFLICT ({string.Join(", ", keys)}) DO UPDATE SET
            {string.Join(", ", sums.Select(c => $"{c} = {table}.{c} + excluded.{c}"))},
            latency_max_ms = {Dialect.Greatest}({table}.latency_max_ms, excluded.latency_max_ms)
            """;
        await using var command = Db.Command(connection, tx, sql);
        var parameters = all.ToDictionary(c => c, c => Db.AddParameter(command, c, null));

        // A fixed key order means two instances upserting overlapping keys lock rows in the same order (no deadlock).
        foreach (var row in rows.OrderBy(r => r.BucketStartMs).ThenBy(r => r.Model, StringComparer.Ordinal)
                     .ThenBy(r => r.ClientKey, StringComparer.Ordinal).ThenBy(r => r.Credential, StringComparer.Ordinal)
                     .ThenBy(r => r.Scope, StringComparer.Ordinal))
        {
            parameters["bucket_start_ms"].Value = row.BucketStartMs;
            parameters["model"].Value = row.Model;
            parameters["client_key"].Value = row.ClientKey;
            parameters["credential"].Value = row.Credential;
            parameters["scope"].Value = row.Scope;
            parameters["requests"].Value = row.Requests;
            parameters["successes"].Value = row.Successes;
            parameters["prompt_tokens"].Value = row.PromptTokens;
            parameters["completion_tokens"].Value = row.CompletionTokens;
            parameters["cost_nusd"].Value = row.CostNanoUsd;
            parameters["latency_count"].Value = row.LatencyCount;
            parameters["latency_sum_ms"].Value = row.LatencySumMs;
            parameters["latency_max_ms"].Value = row.LatencyMaxMs;
            parameters["ttft_count"].Value = row.TtftCount;
            parameters["ttft_sum_ms"].Value = row.TtftSumMs;
            for (var i = 0; i < LatencyHistogram.Columns.Length; i++)
                parameters[LatencyHistogram.Columns[i]].Value = row.Histogram[i];
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Usage store ({Kind}) migrated to schema version {Version}")]
    private partial void LogMigrated(string kind, int version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} usage record(s) skipped: their request id was already stored (a retried batch, or a non-unique request id)")]
    private partial void LogDuplicates(int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pruned {Count} raw usage record(s) older than {Cutoff:O}; rollups kept")]
    private partial void LogPruned(int count, DateTimeOffset cutoff);
}
