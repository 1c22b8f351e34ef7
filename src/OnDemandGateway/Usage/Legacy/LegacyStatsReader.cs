using System.Globalization;
using System.Text.Json;

namespace OnDemandGateway.Usage.Legacy;

/// <summary>
/// Tolerant reader for the Flask proxy's <c>stats_data.json</c>, whose exact shape was never published.
/// Accepted (unknown fields ignored, numbers may be JSON strings):
/// <code>
/// { "total_requests": N, "successful_requests": N, "failed_requests": N,
///   "total_prompt_tokens": N, "total_completion_tokens": N, "total_tokens": N, "total_cost": x,
///   "model_usage":   { "gpt-4o": { "requests": N, "prompt_tokens": N, "completion_tokens": N, "total_tokens": N, "cost": x } },
///   "account_usage": { "a@b.c": { ...same fields... } },
///   "daily_usage":   { "2026-11-01": { "requests": N, "tokens": N, "cost": x } },
///   "hourly_usage":  { "2026-11-01 13": { ... } } }
/// </code>
/// Variants: sections named <c>*_stats</c>, <c>models</c>/<c>accounts</c>/<c>daily</c>/<c>hourly</c>,
/// <c>by_model</c>/...; a section may be an array of objects carrying their key (<c>model</c>, <c>account</c>,
/// <c>date</c>, <c>hour</c>, <c>name</c>); an entry may be a bare number (= requests), with optional sibling maps
/// <c>model_tokens</c> / <c>model_cost</c> (likewise account/daily/hourly). Field names: requests/count/calls,
/// successful(_requests)/success(es), failed(_requests)/failures/errors, prompt_tokens/input_tokens,
/// completion_tokens/output_tokens, total_tokens/tokens (counted as prompt tokens when the split is unknown),
/// cost/total_cost/estimated_cost/cost_usd. Day keys: <c>YYYY-MM-DD</c>, <c>YYYY/MM/DD</c>, <c>YYYYMMDD</c>.
/// Hour keys: <c>YYYY-MM-DD HH</c>, <c>YYYY-MM-DD HH:00</c>, ISO date-times, a day object holding <c>HH</c>
/// keys, or bare <c>HH</c> / <c>HH:00</c> keys dated by a <c>date</c> field in the section or the file
/// (else by the latest daily key). All times are taken as UTC.
/// </summary>
internal static class LegacyStatsReader
{
    private static readonly string[] RequestNames = ["requests", "total_requests", "request_count", "count", "calls"];
    private static readonly string[] SuccessNames = ["successful_requests", "successful", "success", "successes", "success_count"];
    private static readonly string[] FailureNames = ["failed_requests", "failed", "failures", "errors", "error_count", "failed_count"];
    private static readonly string[] PromptNames = ["prompt_tokens", "total_prompt_tokens", "input_tokens"];
    private static readonly string[] CompletionNames = ["completion_tokens", "total_completion_tokens", "output_tokens"];
    private static readonly string[] TokenNames = ["total_tokens", "tokens"];
    private static readonly string[] CostNames = ["total_cost", "cost", "estimated_cost", "cost_usd"];
    private static readonly string[] KeyNames = ["model", "account", "email", "date", "day", "hour", "name", "key"];
    private static readonly string[] DateNames = ["date", "current_date", "today", "last_updated", "last_saved", "updated_at"];
    private static readonly string[] DayFormats = ["yyyy-MM-dd", "yyyy/MM/dd", "yyyyMMdd"];
    private static readonly string[] HourFormats =
        ["yyyy-MM-dd HH", "yyyy-MM-dd H", "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-ddTHH", "yyyy-MM-ddTHH:mm",
         "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-dd-HH", "yyyy/MM/dd HH", "yyyy/MM/dd HH:mm", "yyyyMMddHH"];

    /// <exception cref="JsonException">Not JSON.</exception>
    /// <exception cref="FormatException">JSON, but not an object.</exception>
    public static LegacyStats Read(string json)
    {
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw new FormatException("the file is not a JSON object");

        var stats = new LegacyStats { Totals = Figures(root) };
        foreach (var (key, figures) in Section(root, "model", ["model_usage", "model_stats", "models", "by_model", "usage_by_model"], stats))
            stats.Models[key] = figures;
        foreach (var (key, figures) in Section(root, "account", ["account_usage", "account_stats", "accounts", "by_account", "usage_by_account"], stats))
            stats.Accounts[key] = figures;
        foreach (var (key, figures) in Section(root, "daily", ["daily_usage", "daily_stats", "daily", "by_day", "usage_by_day"], stats))
        {
            if (ParseDay(key) is { } day) stats.Days[day] = figures;
            else stats.Skipped.Add($"day '{key}'");
        }
        ReadHours(root, stats);
        return stats;
    }

    private static void ReadHours(JsonElement root, LegacyStats stats)
    {
        var section = First(root, ["hourly_usage", "hourly_stats", "hourly", "by_hour", "usage_by_hour"]);
        var fallbackDate = DateOf(section) ?? DateOf(root) ?? (stats.Days.Count > 0 ? stats.Days.Keys.Last() : null);
        foreach (var (key, value) in Entries(section))
        {
            // A day object holding hour keys: {"2026-11-01": {"13": {...}}}.
            if (ParseDay(key) is { } day && value.ValueKind == JsonValueKind.Object && Figures(value) is null)
            {
                foreach (var (hourKey, hourValue) in Entries(value))
                    AddHour(stats, $"{key} {hourKey}", ParseHour(hourKey, day), hourValue);
                continue;
            }
            AddHour(stats, key, ParseHour(key, fallbackDate), value);
        }
        foreach (var (key, extra) in Siblings(root, "hourly"))
            if (ParseHour(key, fallbackDate) is { } hour && stats.Hours.TryGetValue(hour, out var existing))
                stats.Hours[hour] = Merge(existing, extra);
    }

    private static void AddHour(LegacyStats stats, string label, DateTimeOffset? hour, JsonElement value)
    {
        if (hour is null || EntryFigures(value) is not { } figures) stats.Skipped.Add($"hour '{label}'");
        else stats.Hours[hour.Value] = figures;
    }

    private static IEnumerable<(string Key, LegacyFigures Figures)> Section(JsonElement root, string prefix, string[] names, LegacyStats stats)
    {
        var entries = new Dictionary<string, LegacyFigures>(StringComparer.Ordinal);
        foreach (var (key, value) in Entries(First(root, names)))
        {
            if (EntryFigures(value) is { } figures) entries[key] = figures;
            else stats.Skipped.Add($"{prefix} '{key}'");
        }
        foreach (var (key, extra) in Siblings(root, prefix))
            if (entries.TryGetValue(key, out var existing)) entries[key] = Merge(existing, extra);
        return entries.Select(e => (e.Key, e.Value));
    }

    /// <summary>Token and cost figures kept in separate maps beside a counts-only section (model_tokens, model_cost).</summary>
    private static IEnumerable<(string Key, LegacyFigures Extra)> Siblings(JsonElement root, string prefix)
    {
        foreach (var (key, value) in Entries(First(root, [$"{prefix}_tokens"])))
            if (Number(value) is { } tokens) yield return (key, new LegacyFigures(0, null, null, (long)tokens, 0, 0));
            else if (Figures(value) is { } f) yield return (key, f with { Requests = 0, Cost = 0 });
        foreach (var (key, value) in Entries(First(root, [$"{prefix}_cost", $"{prefix}_costs"])))
            if (Number(value) is { } cost) yield return (key, new LegacyFigures(0, null, null, 0, 0, cost));
    }

    private static LegacyFigures Merge(LegacyFigures a, LegacyFigures extra) => a with
    {
        PromptTokens = a.Tokens == 0 ? extra.PromptTokens : a.PromptTokens,
        CompletionTokens = a.Tokens == 0 ? extra.CompletionTokens : a.CompletionTokens,
        Cost = a.Cost == 0 ? extra.Cost : a.Cost,
    };

    private static IEnumerable<(string Key, JsonElement Value)> Entries(JsonElement section)
    {
        if (section.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in section.EnumerateObject())
                if (!DateNames.Contains(property.Name, StringComparer.OrdinalIgnoreCase))
                    yield return (property.Name, property.Value);
        }
        else if (section.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in section.EnumerateArray())
                if (item.ValueKind == JsonValueKind.Object && KeyNames.Select(n => Text(item, n)).FirstOrDefault(k => k is not null) is { } key)
                    yield return (key, item);
        }
    }

    private static LegacyFigures? EntryFigures(JsonElement value) =>
        Number(value) is { } requests ? new LegacyFigures((long)requests, null, null, 0, 0, 0) : Figures(value);

    /// <summary>Figures of an object, or null when it has none of the known fields.</summary>
    private static LegacyFigures? Figures(JsonElement obj)
    {
        if (obj.ValueKind != JsonValueKind.Object) return null;
        var requests = Field(obj, RequestNames);
        var successes = Field(obj, SuccessNames);
        var failures = Field(obj, FailureNames);
        var prompt = Field(obj, PromptNames);
        var completion = Field(obj, CompletionNames);
        var tokens = Field(obj, TokenNames);
        var cost = Field(obj, CostNames);
        if (requests is null && successes is null && failures is null && prompt is null && completion is null && tokens is null && cost is null)
            return null;

        var total = (long)(requests ?? (successes ?? 0) + (failures ?? 0));
        long p = (long)(prompt ?? 0), c = (long)(completion ?? 0);
        if (tokens is { } t && (long)t > p + c)
        {
            // Only the total is known (or the split is partial): the unknown part counts as prompt tokens.
            if (prompt is not null && completion is null) c = (long)t - p;
            else p = (long)t - c;
        }
        return new LegacyFigures(total, (long?)successes, (long?)failures, p, c, cost ?? 0);
    }

    private static decimal? Field(JsonElement obj, string[] names)
    {
        foreach (var name in names)
            if (obj.TryGetProperty(name, out var value) && Number(value) is { } number) return number;
        return null;
    }

    private static decimal? Number(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number when value.TryGetDecimal(out var d) => d,
        JsonValueKind.String when decimal.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };

    private static string? Text(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number => v.GetRawText(),
            _ => null,
        } : null;

    private static JsonElement First(JsonElement obj, string[] names)
    {
        foreach (var name in names)
            if (obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var value)
                && value.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
                return value;
        return default;
    }

    private static DateTimeOffset? DateOf(JsonElement obj)
    {
        if (obj.ValueKind != JsonValueKind.Object) return null;
        foreach (var name in DateNames)
            if (Text(obj, name) is { Length: >= 8 } text && (ParseDay(text) ?? ParseDay(text[..Math.Min(10, text.Length)])) is { } day)
                return day;
        return null;
    }

    internal static DateTimeOffset? ParseDay(string key) =>
        DateTime.TryParseExact(key.Trim(), DayFormats, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var d)
            ? new DateTimeOffset(d.Date, TimeSpan.Zero)
            : null;

    internal static DateTimeOffset? ParseHour(string key, DateTimeOffset? date)
    {
        var k = key.Trim();
        if (DateTime.TryParseExact(k, HourFormats, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t)
            || (k.Length > 10 && DateTime.TryParse(k, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out t)))
            return new DateTimeOffset(t.Date.AddHours(t.Hour), TimeSpan.Zero);
        // A bare hour of day: "13", "13:00", "13h".
        var digits = k.Split(':', 'h', 'H')[0];
        if (date is { } day && digits.Length is 1 or 2 && int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var hour) && hour is >= 0 and < 24)
            return day.AddHours(hour);
        return null;
    }
}
