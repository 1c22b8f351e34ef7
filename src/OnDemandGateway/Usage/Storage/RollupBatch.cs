namespace OnDemandGateway.Usage.Storage;

/// <summary>Sums one batch's newly stored records per (hour, model, key, credential), so each rollup row is
/// upserted once per batch; daily rows are summed from the hourly ones (an hour lies inside one UTC day), so
/// each record is hashed once. Reused across batches by the single writer.</summary>
internal sealed class RollupBatch
{
    private readonly Dictionary<RollupKey, RollupRow> _hourly = [];
    private readonly Dictionary<RollupKey, RollupRow> _daily = [];

    public bool IsEmpty => _hourly.Count == 0;

    /// <param name="costNanoUsd">The record's cost as stored (computed once by the caller for the raw row too).</param>
    public void Add(UsageRecord record, string model, string clientKey, string? credential, long costNanoUsd)
    {
        var key = new RollupKey(RollupRow.HourStart(record.Timestamp), model, clientKey, credential ?? "");
        if (!_hourly.TryGetValue(key, out var row))
            _hourly[key] = row = new RollupRow(key.BucketStartMs, key.Model, key.ClientKey, key.Credential, RollupScope.All);
        row.Add(record, costNanoUsd);
    }

    /// <summary>The hourly rows, in key order.</summary>
    public List<RollupRow> Hourly() => Ordered(_hourly);

    /// <summary>The daily rows summed from the hourly ones, in key order.</summary>
    public List<RollupRow> Daily()
    {
        _daily.Clear();
        foreach (var hour in _hourly.Values)
        {
            var key = new RollupKey(RollupRow.DayStartMs(hour.BucketStartMs), hour.Model, hour.ClientKey, hour.Credential);
            if (!_daily.TryGetValue(key, out var day))
                _daily[key] = day = new RollupRow(key.BucketStartMs, key.Model, key.ClientKey, key.Credential, RollupScope.All);
            day.Merge(hour);
        }
        return Ordered(_daily);
    }

    public void Clear()
    {
        _hourly.Clear();
        _daily.Clear();
    }

    private static List<RollupRow> Ordered(Dictionary<RollupKey, RollupRow> rows)
    {
        var list = new List<RollupRow>(rows.Values);
        list.Sort(static (a, b) => new RollupKey(a.BucketStartMs, a.Model, a.ClientKey, a.Credential)
            .CompareTo(new RollupKey(b.BucketStartMs, b.Model, b.ClientKey, b.Credential)));
        return list;
    }
}
