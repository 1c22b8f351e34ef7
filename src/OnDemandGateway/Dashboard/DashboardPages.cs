using System.Text.Encodings.Web;
using OnDemandGateway.Auth;

namespace OnDemandGateway.Dashboard;

/// <summary>Fills the two HTML shells. The dashboard shell carries only the key name and the CSRF token: every
/// number on it comes later from the authenticated JSON APIs.</summary>
internal sealed class DashboardPages(DashboardAssets assets)
{
    // No inline script or style anywhere: JS sets styles through the CSSOM, which this policy allows.
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    public IResult Login(HttpContext http, bool failed, int? status = null) =>
        Page(http, "login.html", status ?? (failed ? StatusCodes.Status401Unauthorized : StatusCodes.Status200OK),
            ("{{error_hidden}}", failed ? "" : "hidden"));

    public IResult Dashboard(HttpContext http, ClientKey key, string csrf) =>
        Page(http, "dashboard.html", StatusCodes.Status200OK,
            ("{{key}}", HtmlEncoder.Default.Encode(key.Name)),
            ("{{csrf}}", HtmlEncoder.Default.Encode(csrf)));

    private IResult Page(HttpContext http, string name, int status, params (string Marker, string Value)[] values)
    {
        var language = DashboardLanguage.Pick(http.Request);
        var html = assets.Text(name)
            .Replace("{{lang}}", language)
            .Replace("{{html_lang}}", DashboardLanguage.HtmlLang(language))
            .Replace("{{v}}", assets.Version);
        foreach (var (marker, value) in values) html = html.Replace(marker, value);

        var headers = http.Response.Headers;
        headers.CacheControl = "no-store";
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.Vary = "Accept-Language, Cookie";
        return Results.Content(html, "text/html; charset=utf-8", statusCode: status);
    }
}
