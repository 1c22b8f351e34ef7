using OnDemandGateway.Configuration;
using OnDemandGateway.Usage.Storage;

namespace OnDemandGateway.Usage.Legacy;

/// <summary>
/// Turns the Flask proxy's projections into rollup rows (client key <c>legacy-import</c>), each projection in
/// its own <see cref="RollupScope"/> so none is counted twice: per-model figures (plus a <c>(legacy)</c> row for
/// what the models do not cover) make the totals; per-account figures feed only "by account"; daily and hourly
/// figures feed only the series. Undated figures are dated at the start of the file's history (its earliest
/// day or hour), or at the import time when it has none.
/// </summary>
internal static class LegacyRollups
{
    public const string ClientKey = "legacy-import";
    public const string UnattributedModel = "(legacy)";

    public static (List<RollupRow> Hourly, List<RollupRow> Daily) Build(LegacyStats stats, DateTimeOffset importTime)
    {
        var anchor = new[] { stats.Days.Keys.FirstOrDefault(), stats.Hours.Keys.FirstOrDefault() }
            .Where(d => d != default).DefaultIfEmpty(importTime).Min();
        var hourly = new List<RollupRow>();
        var daily = new List<RollupRow>();

        foreach (var row in TotalsRows(stats))
        {
            hourly.Add(Row(RollupRow.HourStart(anchor), row.Model, "", RollupScope.Totals, row.Figures, row.Successes));
            daily.Add(Row(RollupRow.DayStart(anchor), row.Model, "", RollupScope.Totals, row.Figures, row.Successes));
        }
        foreach (var (account, f) in stats.Accounts)
        {
            var masked = account.Contains('@') ? Secrets.MaskEmail(account) : Secrets.Mask(account);
            hourly.Add(Row(RollupRow.HourStart(anchor), UnattributedModel, masked, RollupScope.Account, f, f.KnownSuccesses ?? f.Requests));
            daily.Add(Row(RollupRow.DayStart(anchor), UnattributedModel, masked, RollupScope.Account, f, f.KnownSuccesses ?? f.Requests));
        }
        foreach (var (day, f) in stats.Days)
            daily.Add(Row(day.ToUnixTimeMilliseconds(), UnattributedModel, "", RollupScope.Series, f, f.KnownSuccesses ?? f.Requests));
        foreach (var (hour, f) in stats.Hours)
            hourly.Add(Row(hour.ToUnixTimeMilliseconds(), UnattributedModel, "", RollupScope.Series, f, f.KnownSuccesses ?? f.Requests));

        // Masking can map two accounts to one id: merge rather than collide on the primary key.
        return (Merge(hourly), Merge(daily));
    }

    /// <summary>Per-model rows whose sums equal the file's totals. A model without a success count is taken as
    /// all-successful until the total's failures are attributed.</summary>
    private static List<(string Model, LegacyFigures Figures, long Successes)> TotalsRows(LegacyStats stats)
    {
        var rows = stats.Models.Select(m => (Model: m.Key, Figures: m.Value, Successes: m.Value.KnownSuccesses ?? m.Value.Requests)).ToList();
        var totals = stats.Totals ?? new LegacyFigures(
            rows.Sum(r => r.Figures.Requests), rows.Sum(r => r.Successes), null,
            rows.Sum(r => r.Figures.PromptTokens), rows.Sum(r => r.Figures.CompletionTokens), rows.Sum(r => r.Figures.Cost));

        var rest = new LegacyFigures(
            Math.Max(0, totals.Requests - rows.Sum(r => r.Figures.Requests)), null, null,
            Math.Max(0, totals.PromptTokens - rows.Sum(r => r.Figures.PromptTokens)),
            Math.Max(0, totals.CompletionTokens - rows.Sum(r => r.Figures.CompletionTokens)),
            Math.Max(0, totals.Cost - rows.Sum(r => r.Figures.Cost)));
        if (rest.Requests > 0 || rest.Tokens > 0 || rest.Cost > 0) rows.Add((UnattributedModel, rest, rest.Requests));

        // Failures go to rows whose success count was assumed: the unattributed row first, then the largest
        // such models, then (only if the file contradicts itself) any row.
        var excess = rows.Sum(r => r.Successes) - (totals.KnownSuccesses ?? totals.Requests);
        var order = Enumerable.Range(0, rows.Count)
            .OrderBy(i => rows[i].Model == UnattributedModel ? 0 : stats.Models[rows[i].Model].KnownSuccesses is null ? 1 : 2)
            .ThenByDescending(i => rows[i].Figures.Requests).ToList();
        foreach (var i in order)
        {
            if (excess <= 0) break;
            var take = Math.Min(rows[i].Successes, excess);
            rows[i] = rows[i] with { Successes = rows[i].Successes - take };
            excess -= take;
        }
        return rows;
    }

    private static RollupRow Row(long bucket, string model, string credential, string scope, LegacyFigures f, long successes) =>
        new(bucket, model, ClientKey, credential, scope)
        {
            Requests = f.Requests,
            Successes = Math.Clamp(successes, 0, f.Requests),
            PromptTokens = f.PromptTokens,
            CompletionTokens = f.CompletionTokens,
            CostNanoUsd = UsageSchema.ToNanoDollars(f.Cost),
        };

    private static List<RollupRow> Merge(List<RollupRow> rows) =>
        rows.GroupBy(r => r.Key).Select(g =>
        {
            var first = g.First();
            foreach (var other in g.Skip(1)) first.Merge(other);
            return first;
        }).ToList();
}
