using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace OnDemandGateway.Usage.Storage;

/// <summary>
/// The SQLite store's writer: one open connection holding the raw-record insert and the two rollup upserts
/// prepared once (the same SQL as PostgreSQL's, one row per statement), bound by position through the native API.
/// SQLite runs in-process, so ADO.NET's per-value work (boxing, parameter lookup by name, type inference, a
/// UTF-8 copy per string) was most of the cost of a record; here a record is sixteen native binds and one step.
/// Not thread-safe: the store serialises callers, and drops the writer after any failure (a broken connection
/// is never reused; the next batch opens a fresh one).
/// </summary>
internal sealed class SqliteBatchWriter : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _insert, _hourly, _daily;
    private readonly int[] _recordIndex, _rollupIndex;
    private readonly RollupBatch _rollups = new();
    private byte[] _utf8 = new byte[512];

    /// <summary>Takes ownership of <paramref name="connection"/> (open, settings applied, schema migrated).</summary>
    public SqliteBatchWriter(SqliteConnection connection)
    {
        _connection = connection;
        _db = connection.Handle ?? throw new InvalidOperationException("The SQLite connection is not open.");
        try
        {
            _insert = Prepare(UsageSql.Insert(1), UsageSql.RecordColumns.Length, c => UsageSql.RecordParameter(0, c), out _recordIndex);
            _hourly = Prepare(UsageSql.Upsert(SqlDialect.Sqlite, "usage_hourly", 1), UsageSql.RollupColumns.Length,
                c => UsageSql.RollupParameter(0, c), out _rollupIndex);
            _daily = Prepare(UsageSql.Upsert(SqlDialect.Sqlite, "usage_daily", 1), UsageSql.RollupColumns.Length,
                c => UsageSql.RollupParameter(0, c), out _);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Stores the batch and its rollup deltas in one transaction.</summary>
    /// <returns>How many records were skipped because their request id was already stored.</returns>
    public int Write(IReadOnlyList<UsageRecord> batch)
    {
        _rollups.Clear();
        var duplicates = 0;
        // BEGIN IMMEDIATE through ADO.NET: it waits out another writer (pruning, a second store) like every other statement.
        using var tx = _connection.BeginTransaction(deferred: false);
        for (var i = 0; i < batch.Count; i++)
        {
            var record = batch[i];
            var model = UsageSql.Clean(record.Model)!;
            var clientKey = UsageSql.Clean(record.ClientKey)!;
            var credential = UsageSql.Clean(record.Credential);
            var cost = UsageSchema.ToNanoDollars(record.CostUsd);
            // Checked per row, not per batch: two records with one request id in the same batch count once, as stored.
            if (Insert(record, model, clientKey, credential, cost)) _rollups.Add(record, model, clientKey, credential, cost);
            else duplicates++;
        }
        if (!_rollups.IsEmpty)
        {
            foreach (var row in _rollups.Hourly()) Upsert(_hourly, row);
            foreach (var row in _rollups.Daily()) Upsert(_daily, row);
        }
        tx.Commit();
        return duplicates;
    }

    private bool Insert(UsageRecord r, string model, string clientKey, string? credential, long costNanoUsd)
    {
        var s = _insert;
        var p = _recordIndex;
        Text(s, p[0], UsageSql.Clean(r.RequestId));
        Check(raw.sqlite3_bind_int64(s, p[1], r.Timestamp.ToUnixTimeMilliseconds()));
        Text(s, p[2], clientKey);
        Text(s, p[3], model);
        Text(s, p[4], UsageSql.Clean(r.EndpointId));
        Text(s, p[5], credential);
        Check(raw.sqlite3_bind_int(s, p[6], r.Stream ? 1 : 0));
        Text(s, p[7], UsageSql.Name(r.Outcome));
        Check(raw.sqlite3_bind_int(s, p[8], r.HttpStatus));
        Check(raw.sqlite3_bind_int(s, p[9], r.PromptTokens));
        Check(raw.sqlite3_bind_int(s, p[10], r.CompletionTokens));
        Text(s, p[11], UsageSql.Name(r.TokenSource));
        Check(raw.sqlite3_bind_double(s, p[12], r.LatencyMs));
        Check(r.TimeToFirstTokenMs is { } ttft ? raw.sqlite3_bind_double(s, p[13], ttft) : raw.sqlite3_bind_null(s, p[13]));
        Check(raw.sqlite3_bind_int64(s, p[14], costNanoUsd));
        Text(s, p[15], UsageSql.Clean(r.Error));
        // RETURNING yields a row only when the record was new; the insert itself is complete after the first step.
        return Step(s) == raw.SQLITE_ROW;
    }

    private void Upsert(sqlite3_stmt s, RollupRow row)
    {
        var p = _rollupIndex;
        var i = 0;
        Check(raw.sqlite3_bind_int64(s, p[i++], row.BucketStartMs));
        Text(s, p[i++], row.Model);
        Text(s, p[i++], row.ClientKey);
        Text(s, p[i++], row.Credential);
        Text(s, p[i++], row.Scope);
        Check(raw.sqlite3_bind_int64(s, p[i++], row.Requests));
        Check(raw.sqlite3_bind_int64(s, p[i++], row.Successes));
        Check(raw.sqlite3_bind_int64(s, p[i++], row.PromptTokens));
        Check(raw.sqlite3_bind_int64(s, p[i++], row.CompletionTokens));
        Check(raw.sqlite3_bind_int64(s, p[i++], row.CostNanoUsd));
        Check(raw.sqlite3_bind_int64(s, p[i++], row.LatencyCount));
        Check(raw.sqlite3_bind_double(s, p[i++], row.LatencySumMs));
        Check(raw.sqlite3_bind_int64(s, p[i++], row.TtftCount));
        Check(raw.sqlite3_bind_double(s, p[i++], row.TtftSumMs));
        foreach (var count in row.Histogram) Check(raw.sqlite3_bind_int64(s, p[i++], count));
        Check(raw.sqlite3_bind_double(s, p[i], row.LatencyMaxMs));
        Step(s);
    }

    private void Text(sqlite3_stmt statement, int index, string? value)
    {
        if (value is null)
        {
            Check(raw.sqlite3_bind_null(statement, index));
            return;
        }
        // An empty span pins to a null pointer, which SQLite would bind as NULL: bind '' from a real string instead.
        if (value.Length == 0)
        {
            Check(raw.sqlite3_bind_text(statement, index, ""));
            return;
        }
        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (max > _utf8.Length) _utf8 = new byte[Math.Max(max, _utf8.Length * 2)];
        var length = Encoding.UTF8.GetBytes(value, _utf8);
        Check(raw.sqlite3_bind_text(statement, index, _utf8.AsSpan(0, length))); // SQLite copies it (SQLITE_TRANSIENT)
    }

    private int Step(sqlite3_stmt statement)
    {
        var rc = raw.sqlite3_step(statement);
        try
        {
            if (rc is not (raw.SQLITE_ROW or raw.SQLITE_DONE)) SqliteException.ThrowExceptionForRC(rc, _db);
            return rc;
        }
        finally
        {
            raw.sqlite3_reset(statement);
        }
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK) SqliteException.ThrowExceptionForRC(rc, _db);
    }

    private sqlite3_stmt Prepare(string sql, int parameters, Func<int, string> name, out int[] index)
    {
        Check(raw.sqlite3_prepare_v2(_db, sql, out var statement));
        index = new int[parameters];
        for (var i = 0; i < parameters; i++)
        {
            index[i] = raw.sqlite3_bind_parameter_index(statement, name(i));
            if (index[i] <= 0)
            {
                statement.Dispose();
                throw new InvalidOperationException($"Parameter {name(i)} is missing from the usage insert statement.");
            }
        }
        return statement;
    }

    /// <summary>Finalizes the statements before the connection goes back to its pool.</summary>
    public void Dispose()
    {
        _insert?.Dispose();
        _hourly?.Dispose();
        _daily?.Dispose();
        _connection.Dispose();
    }
}
