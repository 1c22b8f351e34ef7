using Microsoft.Extensions.DependencyInjection.Extensions;
using OnDemandGateway.Auth;

namespace OnDemandGateway.Dashboard;

/// <summary>
/// The dashboard at <c>/</c>: a login form until a client token is posted to <c>/login</c>, then a page that
/// draws everything from <c>/api/stats</c>, <c>/api/requests</c> and <c>/api/accounts</c>. Also makes the
/// session cookie an accepted credential everywhere <see cref="IRequestAuthenticator"/> is asked.
/// </summary>
internal static class DashboardEndpoints
{
    public static IServiceCollection AddDashboard(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<HeaderTokenAuthenticator>();
        services.AddSingleton<DashboardSessions>();
        services.TryAddSingleton<AuthFailureThrottle>();
        services.AddSingleton<DashboardSessionAuthenticator>();
        services.Replace(ServiceDescriptor.Singleton<IRequestAuthenticator>(sp => sp.GetRequiredService<DashboardSessionAuthenticator>()));
        services.AddSingleton<DashboardAssets>();
        services.AddSingleton<DashboardPages>();
        return services;
    }

    public static WebApplication MapDashboard(this WebApplication app)
    {
        app.MapGet("/", (HttpContext http, DashboardSessions sessions, DashboardPages pages) =>
        {
            var session = http.Request.Cookies[DashboardSessions.CookieName];
            return session is not null && sessions.TryValidate(session, out var key)
                ? pages.Dashboard(http, key, sessions.CsrfToken(session))
                : pages.Login(http, failed: false);
        });

        app.MapPost("/login", async (HttpContext http, ClientKeyRing keys, DashboardSessions sessions, DashboardPages pages, AuthFailureThrottle throttle) =>
        {
            if (throttle.BlockedFor(http) is { } wait)
            {
                http.Response.Headers.RetryAfter = wait.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return pages.Login(http, failed: true, StatusCodes.Status429TooManyRequests);
            }
            if (!http.Request.HasFormContentType) return pages.Login(http, failed: true);
            var form = await http.Request.ReadFormAsync(http.RequestAborted);
            if (!keys.TryAuthenticate(form["token"].ToString().Trim(), out var key))
            {
                throttle.RecordFailure(http);
                return pages.Login(http, failed: true);
            }

            var session = sessions.Issue(key);
            http.Response.Cookies.Append(DashboardSessions.CookieName, session, CookieOptions(http, sessions.ExpiresAt(session)));
            return SeeOther(http, "/");
        });

        // Logging out needs no CSRF check: the worst a forged request can do is sign someone out.
        app.MapPost("/logout", (HttpContext http) =>
        {
            http.Response.Cookies.Delete(DashboardSessions.CookieName, CookieOptions(http, expires: null));
            return SeeOther(http, "/");
        });

        app.MapGet("/dashboard/{name}", (string name, HttpContext http, DashboardAssets assets) =>
        {
            if (!assets.TryGet(name, out var asset) || name.EndsWith(".html", StringComparison.Ordinal)) return Results.NotFound();
            http.Response.Headers.ETag = asset.ETag;
            // Pages link assets with ?v=<version>, so a long lifetime is safe; revalidation covers bare URLs.
            http.Response.Headers.CacheControl = http.Request.Query.ContainsKey("v") ? "public, max-age=31536000, immutable" : "no-cache";
            http.Response.Headers.XContentTypeOptions = "nosniff";
            if (http.Request.Headers.IfNoneMatch.ToString() == asset.ETag) return Results.StatusCode(StatusCodes.Status304NotModified);
            return Results.Bytes(asset.Content, asset.ContentType);
        });

        return app;
    }

    private static CookieOptions CookieOptions(HttpContext http, DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        // Behind a TLS-terminating proxy IsHttps is false unless forwarded headers are applied.
        Secure = http.Request.IsHttps,
        Path = "/",
        Expires = expires,
        IsEssential = true,
    };

    private static IResult SeeOther(HttpContext http, string location)
    {
        http.Response.Headers.Location = location;
        return Results.StatusCode(StatusCodes.Status303SeeOther);
    }
}
