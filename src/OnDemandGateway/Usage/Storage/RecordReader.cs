using System.Data.Common;

namespace OnDemandGateway.Usage.Storage;

/// <summary>Pages raw records newest first, with optional model / key / outcome filters.</summary>
internal static class RecordReader
{
    public const int MaxPageSize = 500;

    public static async Task<RequestPage> ReadPageAsync(DbConnection connection, DbTransaction transaction, RequestQuery query, CancellationToken ct)
    {
        var page = Math.Max(1, query.Page);
        var size = Math.Clamp(query.PageSize, 1, MaxPageSize);
        var where = new List<string>();
        var parameters = new List<(string, object?)>();
        if (!string.IsNullOrEmpty(query.Model)) { where.Add("model = @model"); parameters.Add(("model", query.Model)); }
        if (!string.IsNullOrEmpty(query.Key)) { where.Add("client_key = @key"); parameters.Add(("key", query.Key)); }
        if (!string.IsNullOrEmpty(query.Outcome))
        {
            switch (ParseOutcomeFilter(query.Outcome))
            {
                case null:
                    return new RequestPage(page, size, 0, []);
                case { } outcome when outcome == FailureFilter:
                    where.Add("outcome <> @outcome"); parameters.Add(("outcome", nameof(UsageOutcome.Success))); break;
                case { } outcome:
                    where.Add("outcome = @outcome"); parameters.Add(("outcome", outcome)); break;
            }
        }
        var filter = where.Count == 0 ? "" : "WHERE " + string.Join(" AND ", where);

        var total = await Db.ScalarLongAsync(connection, transaction, $"SELECT COUNT(*) FROM usage_records {filter}", ct, [.. parameters]);
        await using var command = Db.Command(connection, transaction, $"""
            SELECT request_id, ts_ms, client_key, model, endpoint_id, credential, stream, outcome, http_status,
                   prompt_tokens, completion_tokens, token_source, latency_ms, ttft_ms, cost_nusd, error
            FROM usage_records {filter} ORDER BY ts_ms DESC, request_id DESC LIMIT @limit OFFSET @offset
            """, [.. parameters, ("limit", size), ("offset", (long)(page - 1) * size)]);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var items = new List<UsageRecord>();
        while (await reader.ReadAsync(ct)) items.Add(Read(reader));
        return new RequestPage(page, size, total, items);
    }

    private const string FailureFilter = "!failure";

    /// <summary>"success", "failure" (any non-success), or one outcome name in either spelling
    /// ("RateLimited", "rate_limited"). Null when the value names no outcome.</summary>
    private static string? ParseOutcomeFilter(string value)
    {
        var v = value.Trim();
        if (v.Equals("failure", StringComparison.OrdinalIgnoreCase) || v.Equals("failed", StringComparison.OrdinalIgnoreCase)
            || v.Equals("error", StringComparison.OrdinalIgnoreCase))
            return FailureFilter;
        return Enum.TryParse<UsageOutcome>(v.Replace("_", "", StringComparison.Ordinal), ignoreCase: true, out var outcome)
               && Enum.IsDefined(outcome) && !int.TryParse(v, out _)
            ? outcome.ToString()
            : null;
    }

    private static UsageRecord Read(DbDataReader r) => new()
    {
        RequestId = r.GetString(0),
        Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(Db.Long(r, 1)),
        ClientKey = r.GetString(2),
        Model = r.GetString(3),
        EndpointId = r.GetString(4),
        Credential = r.IsDBNull(5) ? null : r.GetString(5),
        Stream = Db.Long(r, 6) != 0,
        Outcome = Enum.Parse<UsageOutcome>(r.GetString(7)),
        HttpStatus = (int)Db.Long(r, 8),
        PromptTokens = (int)Db.Long(r, 9),
        CompletionTokens = (int)Db.Long(r, 10),
        TokenSource = Enum.Parse<TokenSource>(r.GetString(11)),
        LatencyMs = Db.Double(r, 12),
        TimeToFirstTokenMs = r.IsDBNull(13) ? null : Db.Double(r, 13),
        CostUsd = UsageSchema.FromNanoDollars(Db.Long(r, 14)),
        Error = r.IsDBNull(15) ? null : r.GetString(15),
    };
}
