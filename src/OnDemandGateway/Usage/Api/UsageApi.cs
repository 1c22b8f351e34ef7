using System.Globalization;
using System.Text.Json;
using OnDemandGateway.Auth;

namespace OnDemandGateway.Usage.Api;

/// <summary>
/// <c>GET /api/stats</c>, <c>GET /api/requests</c> and the Flask proxy's <c>POST /save_stats</c>. Query values
/// are parsed here rather than by parameter binding so a bad one gets a JSON 400 that names it.
/// </summary>
internal static class UsageApi
{
    public const int MaxPageSize = 200;

    // Built once: the filter accepts the same snake_case names the API returns (and the enum names).
    private static readonly Dictionary<string, UsageOutcome> Outcomes = Enum.GetValues<UsageOutcome>()
        .SelectMany(o => new[] { (Name: JsonNamingPolicy.SnakeCaseLower.ConvertName(o.ToString()), Value: o), (Name: o.ToString(), Value: o) })
        .DistinctBy(p => p.Name, StringComparer.OrdinalIgnoreCase)
        .ToDictionary(p => p.Name, p => p.Value, StringComparer.OrdinalIgnoreCase);

    public static WebApplication MapUsageApi(this WebApplication app)
    {
        var api = app.MapGroup("/api").RequireGatewayAuth();
        // Cast: a handler taking only HttpContext would otherwise bind as a RequestDelegate and drop the IResult.
        api.MapGet("/stats", (Delegate)GetStatsAsync);
        api.MapGet("/requests", (Delegate)GetRequestsAsync);
        app.MapPost("/save_stats", (Delegate)SaveStatsAsync).RequireDashboardAuth();
        return app;
    }

    private static async Task<IResult> GetStatsAsync(HttpContext http)
    {
        var query = http.Request.Query;
        if (!TryParseInstant(query["from"], isEnd: false, out var from))
            return BadParameter("from", "Use ISO-8601 (2026-03-01T12:00:00Z) or yyyy-MM-dd.");
        if (!TryParseInstant(query["to"], isEnd: true, out var to))
            return BadParameter("to", "Use ISO-8601 (2026-03-01T12:00:00Z) or yyyy-MM-dd.");
        if (from is not null && to is not null && to < from)
            return BadParameter("to", "'to' is before 'from'.");

        if (Store(http) is not { } store) return StoreMissing();
        var stats = await store.GetStatsAsync(new StatsQuery(from, to), http.RequestAborted);
        var queue = QueueStatus.From(http.RequestServices.GetService<IUsageFlusher>());
        return Results.Json(StatsResponse.From(stats, queue), UsageJsonContext.Default.StatsResponse);
    }

    private static async Task<IResult> GetRequestsAsync(HttpContext http)
    {
        var query = http.Request.Query;
        if (!TryParseInt(query["page"], 1, 1, int.MaxValue, out var page))
            return BadParameter("page", "A whole number of at least 1.");
        if (!TryParseInt(query["page_size"], 50, 1, MaxPageSize, out var pageSize))
            return BadParameter("page_size", $"A whole number from 1 to {MaxPageSize}.");
        string? outcome = null;
        if (Text(query["outcome"]) is { } outcomeText)
        {
            if (!Outcomes.TryGetValue(outcomeText, out var parsed))
                return BadParameter("outcome", "One of: " + string.Join(", ", Enum.GetValues<UsageOutcome>().Select(o => JsonNamingPolicy.SnakeCaseLower.ConvertName(o.ToString()))) + ".");
            // Stores see the enum's own name, whatever spelling the client used.
            outcome = parsed.ToString();
        }

        if (Store(http) is not { } store) return StoreMissing();
        var result = await store.GetRequestsAsync(new RequestQuery(page, pageSize, Text(query["model"]), Text(query["key"]), outcome), http.RequestAborted);
        return Results.Json(result, UsageJsonContext.Default.RequestPage);
    }

    /// <summary>The Flask proxy's "save now" button: writes what is queued, then back to the dashboard.</summary>
    private static async Task<IResult> SaveStatsAsync(HttpContext http)
    {
        if (http.RequestServices.GetService<IUsageFlusher>() is { } flusher)
            await flusher.FlushAsync(http.RequestAborted);
        http.Response.Headers.Location = "/";
        return Results.StatusCode(StatusCodes.Status303SeeOther);
    }

    private static IUsageStore? Store(HttpContext http) => http.RequestServices.GetService<IUsageStore>();

    private static IResult StoreMissing() =>
        Results.Json(new ApiError("unavailable", "No usage store is configured."), UsageJsonContext.Default.ApiError, statusCode: StatusCodes.Status503ServiceUnavailable);

    private static IResult BadParameter(string name, string hint) =>
        Results.Json(ApiError.BadParameter(name, $"Invalid '{name}'. {hint}"), UsageJsonContext.Default.ApiError, statusCode: StatusCodes.Status400BadRequest);

    private static string? Text(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static bool TryParseInt(string? text, int fallback, int min, int max, out int value)
    {
        value = fallback;
        if (Text(text) is not { } t) return true;
        return int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;
    }

    /// <summary>Empty → no bound. A bare date is midnight UTC; as an end bound it means the end of that day.
    /// Timestamps without an offset are UTC.</summary>
    internal static bool TryParseInstant(string? text, bool isEnd, out DateTimeOffset? value)
    {
        value = null;
        if (Text(text) is not { } t) return true;
        if (DateOnly.TryParseExact(t, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            var midnight = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            value = isEnd ? midnight.AddDays(1) : midnight;
            return true;
        }
        // An unencoded '+' in "…T10:00:00+08:00" arrives as a space.
        if (t.Length > 19 && t[^6] == ' ') t = string.Concat(t.AsSpan(0, t.Length - 6), "+", t.AsSpan(t.Length - 5));
        // Only ISO-8601 shapes: DateTimeOffset.TryParse alone would also take "3/4/2026" or "March 4".
        var iso = t.Length >= 16 && t[4] == '-' && t[7] == '-' && t[10] is 'T' or 't' or ' ' && t[13] == ':';
        if (!iso || !DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
            return false;
        value = parsed;
        return true;
    }
}
