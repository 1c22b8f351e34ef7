using System.Data.Common;

namespace OnDemandGateway.Usage.Storage;

/// <summary>Builds <see cref="UsageStats"/> from rollup rows only, so the cost grows with the number of
/// (bucket, model, key, credential) rows in range, never with the number of requests.</summary>
internal sealed class RollupReader(DbConnection connection, DbTransaction transaction, TimeProvider time)
{
    /// <summary>Without a <see cref="StatsQuery.From"/>, the hourly series covers this much recent history
    /// (a year of hours per model would be a large, unreadable payload).</summary>
    public static readonly TimeSpan DefaultHourlyWindow = TimeSpan.FromDays(7);

    private static readonly string TotalScopes = $"('{RollupScope.All}', '{RollupScope.Totals}')";
    private static readonly string AccountScopes = $"('{RollupScope.All}', '{RollupScope.Account}')";
    private static readonly string SeriesScopes = $"('{RollupScope.All}', '{RollupScope.Series}')";

    public async Task<UsageStats> ReadAsync(StatsQuery query, CancellationToken ct)
    {
        // Breakdowns of all history come from the smaller daily table; a time window needs hourly precision.
        var windowed = query.From is not null || query.To is not null;
        var table = windowed ? "usage_hourly" : "usage_daily";
        var hourFrom = query.From is { } f ? RollupRow.HourStart(f) : (long?)null;
        var to = query.To?.ToUnixTimeMilliseconds();

        var byModel = await GroupAsync(table, "model", TotalScopes, hourFrom, to, null, ct);
        var byKey = await GroupAsync(table, "client_key", TotalScopes, hourFrom, to, null, ct);
        var byAccount = await GroupAsync(table, "credential", AccountScopes, hourFrom, to, "credential <> ''", ct);
        var daily = await GroupAsync("usage_daily", "bucket_start_ms, model", SeriesScopes,
            query.From is { } df ? RollupRow.DayStart(df) : null, to, null, ct);
        var hourlyFrom = hourFrom ?? RollupRow.HourStart(time.GetUtcNow() - DefaultHourlyWindow);
        var hourly = await GroupAsync("usage_hourly", "bucket_start_ms, model", SeriesScopes, hourlyFrom, to, null, ct);

        var total = new RollupRow(0, "", "", "", "");
        foreach (var row in byModel) total.Merge(row);

        return new UsageStats
        {
            TotalRequests = total.Requests,
            SuccessfulRequests = total.Successes,
            FailedRequests = total.Requests - total.Successes,
            PromptTokens = total.PromptTokens,
            CompletionTokens = total.CompletionTokens,
            EstimatedCostUsd = UsageSchema.FromNanoDollars(total.CostNanoUsd),
            AverageLatencyMs = total.LatencyCount == 0 ? 0 : total.LatencySumMs / total.LatencyCount,
            P95LatencyMs = LatencyHistogram.Percentile(total.Histogram, 0.95, total.LatencyMaxMs),
            AverageTimeToFirstTokenMs = total.TtftCount == 0 ? 0 : total.TtftSumMs / total.TtftCount,
            ByModel = byModel.ToDictionary(r => r.Model, Breakdown),
            ByKey = byKey.ToDictionary(r => r.ClientKey, Breakdown),
            ByAccount = byAccount.ToDictionary(r => r.Credential, Breakdown),
            Daily = daily.Select(Bucket).ToList(),
            Hourly = hourly.Select(Bucket).ToList(),
        };
    }

    private static UsageBreakdown Breakdown(RollupRow r) =>
        new(r.Requests, r.Successes, r.PromptTokens, r.CompletionTokens, UsageSchema.FromNanoDollars(r.CostNanoUsd));

    private static UsageBucket Bucket(RollupRow r) =>
        new(DateTimeOffset.FromUnixTimeMilliseconds(r.BucketStartMs), r.Model, r.Requests, r.Successes,
            r.PromptTokens, r.CompletionTokens, UsageSchema.FromNanoDollars(r.CostNanoUsd));

    /// <summary>Sums rows grouped by <paramref name="groupBy"/> (one or two of bucket_start_ms, model,
    /// client_key, credential) over buckets starting in [from, to).</summary>
    private async Task<List<RollupRow>> GroupAsync(string table, string groupBy, string scopes, long? from, long? to, string? extra, CancellationToken ct)
    {
        string[] summed = ["requests", "successes", "prompt_tokens", "completion_tokens", "cost_nusd", "latency_count", "ttft_count", .. LatencyHistogram.Columns];
        var where = new List<string> { $"scope IN {scopes}" };
        if (from is not null) where.Add("bucket_start_ms >= @from");
        if (to is not null) where.Add("bucket_start_ms < @to");
        if (extra is not null) where.Add(extra);
        var sql = $"""
            SELECT {groupBy}, {string.Join(", ", summed.Select(c => $"COALESCE(CAST(SUM({c}) AS BIGINT), 0)"))},
                COALESCE(SUM(latency_sum_ms), 0), COALESCE(MAX(latency_max_ms), 0), COALESCE(SUM(ttft_sum_ms), 0)
            FROM {table} WHERE {string.Join(" AND ", where)} GROUP BY {groupBy} ORDER BY {groupBy}
            """;
        var groups = groupBy.Split(',', StringSplitOptions.TrimEntries);
        await using var command = Db.Command(connection, transaction, sql);
        if (from is not null) Db.AddParameter(command, "from", from.Value);
        if (to is not null) Db.AddParameter(command, "to", to.Value);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<RollupRow>();
        while (await reader.ReadAsync(ct))
        {
            string Text(string column) => Array.IndexOf(groups, column) is var i and >= 0 ? reader.GetString(i) : "";
            var bucket = Array.IndexOf(groups, "bucket_start_ms") is var b and >= 0 ? Db.Long(reader, b) : 0;
            var row = new RollupRow(bucket, Text("model"), Text("client_key"), Text("credential"), "");
            var o = groups.Length;
            row.Requests = Db.Long(reader, o++);
            row.Successes = Db.Long(reader, o++);
            row.PromptTokens = Db.Long(reader, o++);
            row.CompletionTokens = Db.Long(reader, o++);
            row.CostNanoUsd = Db.Long(reader, o++);
            row.LatencyCount = Db.Long(reader, o++);
            row.TtftCount = Db.Long(reader, o++);
            for (var i = 0; i < LatencyHistogram.BucketCount; i++) row.Histogram[i] = Db.Long(reader, o++);
            row.LatencySumMs = Db.Double(reader, o++);
            row.LatencyMaxMs = Db.Double(reader, o++);
            row.TtftSumMs = Db.Double(reader, o);
            rows.Add(row);
        }
        return rows;
    }
}
