namespace OnDemandGateway.Usage.Storage;

/// <summary>
/// Ordered schema migrations. A step is never edited once released: changes go in a new step.
/// Conventions (identical on both engines, so every query is written once):
/// times are BIGINT Unix milliseconds UTC; money is BIGINT nano-dollars (exact sums, no float drift, and
/// sub-micro-dollar per-request costs of cheap models still add up); rollup rows are keyed by
/// (bucket start, model, client key, credential, scope) where credential '' means "no credential" and
/// scope is 'all' for live rows (see <see cref="RollupScope"/>).
/// </summary>
internal static class UsageSchema
{
    public static IReadOnlyList<string[]> Migrations(SqlDialect d) =>
    [
        // 1: raw records, hourly and daily rollups, metadata.
        [
            $"""
            CREATE TABLE usage_records (
                id {d.IdentityPrimaryKey},
                request_id TEXT NOT NULL,
                ts_ms BIGINT NOT NULL,
                client_key TEXT NOT NULL,
                model TEXT NOT NULL,
                endpoint_id TEXT NOT NULL,
                credential TEXT NULL,
                stream SMALLINT NOT NULL,
                outcome TEXT NOT NULL,
                http_status INTEGER NOT NULL,
                prompt_tokens INTEGER NOT NULL,
                completion_tokens INTEGER NOT NULL,
                token_source TEXT NOT NULL,
                latency_ms {d.Real} NOT NULL,
                ttft_ms {d.Real} NULL,
                cost_nusd BIGINT NOT NULL,
                error TEXT NULL)
            """,
            // The request id is the idempotency key: a batch retried after a lost commit acknowledgement is not counted twice.
            "CREATE UNIQUE INDEX ux_usage_records_request_id ON usage_records (request_id)",
            "CREATE INDEX ix_usage_records_ts ON usage_records (ts_ms)",
            "CREATE INDEX ix_usage_records_model_ts ON usage_records (model, ts_ms)",
            "CREATE INDEX ix_usage_records_key_ts ON usage_records (client_key, ts_ms)",
            "CREATE INDEX ix_usage_records_outcome_ts ON usage_records (outcome, ts_ms)",
            Rollup("usage_hourly", d),
            Rollup("usage_daily", d),
            "CREATE TABLE usage_meta (name TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL)",
        ],
        // 2: the (model|client_key|outcome, ts) indexes cost every recorded request three B-tree inserts (measured:
        // about a third of the SQLite write path) to speed up only the filtered request list. That list now walks
        // the time index newest first (stopping once the page is full) and counts with one scan.
        [
            "DROP INDEX IF EXISTS ix_usage_records_model_ts",
            "DROP INDEX IF EXISTS ix_usage_records_key_ts",
            "DROP INDEX IF EXISTS ix_usage_records_outcome_ts",
        ],
        // 3 (SQLite only): the idempotency key becomes (ts_ms, request_id). Request ids are random, so a unique
        // index on them alone dirties about one page per recorded request in every commit (written to the WAL,
        // then checkpointed): measured, half of what was left of the SQLite write path, growing with the table.
        // Leading with the time makes each batch append at the index's end. A retried batch carries the same
        // records, timestamps included, so it is still stored once; only two different requests that reuse one
        // client-chosen X-Request-Id are now both kept. The old ts index is a prefix of the new one. PostgreSQL
        // keeps its index: there the cost is the server's, and older instances sharing the database rely on it.
        d == SqlDialect.Sqlite
            ?
            [
                "CREATE UNIQUE INDEX ux_usage_records_ts_request_id ON usage_records (ts_ms, request_id)",
                "DROP INDEX IF EXISTS ux_usage_records_request_id",
                "DROP INDEX IF EXISTS ix_usage_records_ts",
            ]
            : [],
    ];

    private static string Rollup(string table, SqlDialect d) => $"""
        CREATE TABLE {table} (
            bucket_start_ms BIGINT NOT NULL,
            model TEXT NOT NULL,
            client_key TEXT NOT NULL,
            credential TEXT NOT NULL,
            scope TEXT NOT NULL,
            requests BIGINT NOT NULL,
            successes BIGINT NOT NULL,
            prompt_tokens BIGINT NOT NULL,
            completion_tokens BIGINT NOT NULL,
            cost_nusd BIGINT NOT NULL,
            latency_count BIGINT NOT NULL,
            latency_sum_ms {d.Real} NOT NULL,
            latency_max_ms {d.Real} NOT NULL,
            ttft_count BIGINT NOT NULL,
            ttft_sum_ms {d.Real} NOT NULL,
            {string.Join(",\n    ", LatencyHistogram.Columns.Select(c => $"{c} BIGINT NOT NULL"))},
            PRIMARY KEY (bucket_start_ms, model, client_key, credential, scope))
        """;

    public const long NanoDollarsPerDollar = 1_000_000_000;

    public static long ToNanoDollars(decimal usd) => (long)decimal.Round(usd * NanoDollarsPerDollar, MidpointRounding.AwayFromZero);

    public static decimal FromNanoDollars(long nano) => (decimal)nano / NanoDollarsPerDollar;
}
