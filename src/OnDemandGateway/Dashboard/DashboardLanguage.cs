using Microsoft.Net.Http.Headers;

namespace OnDemandGateway.Dashboard;

/// <summary>Picks the page language: the switch's cookie if set, else the first English or Chinese entry of
/// <c>Accept-Language</c> by quality (zh, zh-CN, zh-TW … → Chinese), else English.</summary>
internal static class DashboardLanguage
{
    public const string CookieName = "odg_lang";
    public const string English = "en";
    public const string Chinese = "zh";

    public static string Pick(HttpRequest request)
    {
        if (request.Cookies[CookieName] is English or Chinese) return request.Cookies[CookieName]!;
        IList<StringWithQualityHeaderValue> accepted;
        try
        {
            accepted = request.GetTypedHeaders().AcceptLanguage;
        }
        catch (FormatException)
        {
            return English;
        }
        // OrderByDescending is stable, so equal qualities keep the header's order.
        foreach (var entry in accepted.OrderByDescending(e => e.Quality ?? 1.0))
        {
            var value = entry.Value.Value ?? "";
            if (value.StartsWith(Chinese, StringComparison.OrdinalIgnoreCase)) return Chinese;
            if (value.StartsWith(English, StringComparison.OrdinalIgnoreCase)) return English;
        }
        return English;
    }

    public static string HtmlLang(string language) => language == Chinese ? "zh-CN" : "en";
}
