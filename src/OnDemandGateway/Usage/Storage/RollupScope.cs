namespace OnDemandGateway.Usage.Storage;

/// <summary>
/// Which statistics a rollup row feeds. Live rows feed everything. The Flask proxy's history only has
/// separate projections (per model, per account, per day, per hour) that cannot be joined, so each imported
/// projection gets its own scope and feeds only the statistics it describes: totals are never counted twice.
/// </summary>
internal static class RollupScope
{
    /// <summary>A live row: totals, by model/key/account, and the series.</summary>
    public const string All = "all";
    /// <summary>Imported per-model figures: totals, by model, by key.</summary>
    public const string Totals = "totals";
    /// <summary>Imported per-account figures: by account only.</summary>
    public const string Account = "account";
    /// <summary>Imported daily/hourly figures: the series only.</summary>
    public const string Series = "series";
}
