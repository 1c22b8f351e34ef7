namespace OnDemandGateway.Usage.Legacy;

/// <summary>What could be read from a Flask proxy <c>stats_data.json</c>: separate projections of the same
/// requests (all-time totals, per model, per account, per day, per hour) that cannot be joined.</summary>
internal sealed class LegacyStats
{
    public LegacyFigures? Totals { get; set; }
    public Dictionary<string, LegacyFigures> Models { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, LegacyFigures> Accounts { get; } = new(StringComparer.Ordinal);
    /// <summary>Keyed by the UTC start of the day.</summary>
    public SortedDictionary<DateTimeOffset, LegacyFigures> Days { get; } = new();
    /// <summary>Keyed by the UTC start of the hour.</summary>
    public SortedDictionary<DateTimeOffset, LegacyFigures> Hours { get; } = new();
    /// <summary>Entries that were present but could not be understood (reported, not imported).</summary>
    public List<string> Skipped { get; } = [];

    public bool IsEmpty => Totals is null && Models.Count == 0 && Accounts.Count == 0 && Days.Count == 0 && Hours.Count == 0;

    public override string ToString() =>
        $"{Totals?.Requests ?? Models.Values.Sum(m => m.Requests)} requests, {Models.Count} models, {Accounts.Count} accounts, " +
        $"{Days.Count} days, {Hours.Count} hours" + (Skipped.Count > 0 ? $", skipped: {string.Join(", ", Skipped)}" : "");
}
