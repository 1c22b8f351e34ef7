using Microsoft.AspNetCore.Http.Features;

namespace OnDemandGateway.Auth;

/// <summary>
/// Accepts a token header (API clients, scripts) or the dashboard's session cookie. Cookie-authenticated unsafe
/// requests must also carry the CSRF token (<c>X-CSRF-Token</c> header or an already-read form field <c>csrf</c>):
/// SameSite=Strict already stops most cross-site posts, the token covers older browsers and same-site attackers.
/// </summary>
internal sealed class DashboardSessionAuthenticator(HeaderTokenAuthenticator header, DashboardSessions sessions) : IRequestAuthenticator
{
    public const string CsrfHeader = "X-CSRF-Token";
    public const string CsrfFormField = "csrf";

    public bool TryAuthenticate(HttpContext context, out ClientKey key) =>
        Authenticate(context, out key) == DashboardAuthOutcome.Authenticated;

    public DashboardAuthOutcome Authenticate(HttpContext context, out ClientKey key)
    {
        if (header.TryAuthenticate(context, out key)) return DashboardAuthOutcome.Authenticated;

        var session = context.Request.Cookies[DashboardSessions.CookieName];
        if (session is null || !sessions.TryValidate(session, out key)) return DashboardAuthOutcome.Unauthenticated;
        if (IsSafe(context.Request.Method)) return DashboardAuthOutcome.Authenticated;

        var csrf = context.Request.Headers[CsrfHeader].ToString();
        // Only a form some async filter already read: reading it here would block on the request body.
        if (csrf.Length == 0 && context.Features.Get<IFormFeature>()?.Form is { } form)
            csrf = form[CsrfFormField].ToString();
        if (sessions.IsValidCsrf(session, csrf)) return DashboardAuthOutcome.Authenticated;

        key = null!;
        return DashboardAuthOutcome.CsrfRejected;
    }

    private static bool IsSafe(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method);
}
