using System.Collections.Concurrent;
using System.Text;

namespace OnDemandGateway.Usage.Storage;

/// <summary>The write statements, built once per shape and shared by both engines (SQLite binds them
/// natively, PostgreSQL through ADO.NET). Parameters carry their '@' prefix so a name is found in one lookup.</summary>
internal static class UsageSql
{
    public static readonly string[] RecordColumns =
        ["request_id", "ts_ms", "client_key", "model", "endpoint_id", "credential", "stream", "outcome",
         "http_status", "prompt_tokens", "completion_tokens", "token_source", "latency_ms", "ttft_ms", "cost_nusd", "error"];

    public static readonly string[] RollupKeys = ["bucket_start_ms", "model", "client_key", "credential", "scope"];
    public static readonly string[] RollupSums = ["requests", "successes", "prompt_tokens", "completion_tokens", "cost_nusd",
        "latency_count", "latency_sum_ms", "ttft_count", "ttft_sum_ms", .. LatencyHistogram.Columns];
    public static readonly string[] RollupColumns = [.. RollupKeys, .. RollupSums, "latency_max_ms"];

    public static string RecordParameter(int row, int column) => $"@p{row}_{column}";

    public static string RollupParameter(int row, int column) => $"@r{row}_{column}";

    private static readonly ConcurrentDictionary<int, string> InsertByRows = new();

    /// <summary>A multi-row insert of raw records; RETURNING names the rows actually inserted, so a record already
    /// stored (a batch retried after a lost commit acknowledgement) adds nothing to the rollups. No conflict target:
    /// the idempotency index is (request_id) on PostgreSQL and (ts_ms, request_id) on SQLite (UsageSchema step 3),
    /// and instances still running the previous release keep working against either.</summary>
    public static string Insert(int rows) => InsertByRows.GetOrAdd(rows, static n =>
    {
        var sql = new StringBuilder($"INSERT INTO usage_records ({string.Join(", ", RecordColumns)}) VALUES ");
        for (var row = 0; row < n; row++)
        {
            sql.Append(row == 0 ? "(" : ", (");
            sql.AppendJoin(", ", Enumerable.Range(0, RecordColumns.Length).Select(c => RecordParameter(row, c)));
            sql.Append(')');
        }
        return sql.Append(" ON CONFLICT DO NOTHING RETURNING request_id").ToString();
    });

    private static readonly ConcurrentDictionary<(string Greatest, string Table, int Rows), string> UpsertByRows = new();

    /// <summary>Adds summed deltas to rollup rows as atomic increments, so instances writing the same rows
    /// concurrently never lose each other's counts.</summary>
    public static string Upsert(SqlDialect dialect, string table, int rows) => UpsertByRows.GetOrAdd((dialect.Greatest, table, rows), static key =>
    {
        var (greatest, t, n) = key;
        var values = string.Join(", ", Enumerable.Range(0, n).Select(row =>
            "(" + string.Join(", ", Enumerable.Range(0, RollupColumns.Length).Select(c => RollupParameter(row, c))) + ")"));
        return $"""
            INSERT INTO {t} ({string.Join(", ", RollupColumns)}) VALUES {values}
            ON CONFLICT ({string.Join(", ", RollupKeys)}) DO UPDATE SET
            {string.Join(", ", RollupSums.Select(c => $"{c} = {t}.{c} + excluded.{c}"))},
            latency_max_ms = {greatest}({t}.latency_max_ms, excluded.latency_max_ms)
            """;
    });

    // PostgreSQL rejects NUL in text; one such character must not poison a batch that is then retried forever.
    // Both engines store the same text. Scanning first keeps the common case free of a copy.
    public static string? Clean(string? value) =>
        value is null || !value.Contains('\0') ? value : value.Replace("\0", "", StringComparison.Ordinal);

    /// <summary>Outcome and token source names as stored, without formatting an enum per record.</summary>
    public static readonly string[] OutcomeNames = Enum.GetNames<UsageOutcome>();
    public static readonly string[] TokenSourceNames = Enum.GetNames<TokenSource>();

    public static string Name(UsageOutcome outcome) =>
        (uint)outcome < (uint)OutcomeNames.Length ? OutcomeNames[(int)outcome] : outcome.ToString();

    public static string Name(TokenSource source) =>
        (uint)source < (uint)TokenSourceNames.Length ? TokenSourceNames[(int)source] : source.ToString();
}
