using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;
using OnDemandGateway.Auth;
using OnDemandGateway.Configuration;
using OnDemandGateway.Tests.TestSupport;

namespace OnDemandGateway.Tests.Dashboard;

public sealed class DashboardSessionAuthenticatorTests
{
    private readonly ClientKeyRing _ring = new([new ClientKeyOptions("test", "token-of-test-key")]);
    private readonly DashboardSessions _sessions;
    private readonly DashboardSessionAuthenticator _authenticator;
    private readonly string _session;

    public DashboardSessionAuthenticatorTests()
    {
        _sessions = new DashboardSessions(_ring, new ManualTimeProvider(new DateTimeOffset(2026, 3, 13, 8, 0, 0, TimeSpan.Zero)));
        _authenticator = new DashboardSessionAuthenticator(new HeaderTokenAuthenticator(_ring), _sessions);
        Assert.True(_ring.TryAuthenticate("token-of-test-key", out var key));
        _session = _sessions.Issue(key);
    }

    private HttpContext Request(string method, bool cookie = true, string? csrfHeader = null, string? bearer = null)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        if (cookie) context.Request.Headers.Cookie = $"{DashboardSessions.CookieName}={Uri.EscapeDataString(_session)}";
        if (csrfHeader is not null) context.Request.Headers[DashboardSessionAuthenticator.CsrfHeader] = csrfHeader;
        if (bearer is not null) context.Request.Headers.Authorization = "Bearer " + bearer;
        return context;
    }

    [Fact]
    public void Authenticate_HeaderTokenOnPost_NeedsNoCsrf()
    {
        Assert.Equal(DashboardAuthOutcome.Authenticated, _authenticator.Authenticate(Request("POST", cookie: false, bearer: "token-of-test-key"), out var key));
        Assert.Equal("test", key.Name);
    }

    [Fact]
    public void Authenticate_CookieOnGet_Authenticated()
    {
        Assert.Equal(DashboardAuthOutcome.Authenticated, _authenticator.Authenticate(Request("GET"), out var key));
        Assert.Equal("test", key.Name);
    }

    [Fact]
    public void Authenticate_CookieOnPostWithoutCsrf_CsrfRejected()
    {
        Assert.Equal(DashboardAuthOutcome.CsrfRejected, _authenticator.Authenticate(Request("POST"), out _));
        Assert.Equal(DashboardAuthOutcome.CsrfRejected, _authenticator.Authenticate(Request("DELETE", csrfHeader: "wrong"), out _));
        Assert.False(_authenticator.TryAuthenticate(Request("POST"), out _));
    }

    [Fact]
    public void Authenticate_CookieOnPostWithCsrfHeader_Authenticated()
    {
        Assert.Equal(DashboardAuthOutcome.Authenticated, _authenticator.Authenticate(Request("POST", csrfHeader: _sessions.CsrfToken(_session)), out _));
    }

    [Fact]
    public void Authenticate_CookieOnPostWithReadFormField_Authenticated()
    {
        var context = Request("POST");
        context.Features.Set<IFormFeature>(new FormFeature(new FormCollection(new Dictionary<string, StringValues>
        {
            [DashboardSessionAuthenticator.CsrfFormField] = _sessions.CsrfToken(_session),
        })));
        Assert.Equal(DashboardAuthOutcome.Authenticated, _authenticator.Authenticate(context, out _));
    }

    [Fact]
    public void Authenticate_NoCredentialsOrWrongToken_Unauthenticated()
    {
        Assert.Equal(DashboardAuthOutcome.Unauthenticated, _authenticator.Authenticate(Request("GET", cookie: false), out _));
        Assert.Equal(DashboardAuthOutcome.Unauthenticated, _authenticator.Authenticate(Request("GET", cookie: false, bearer: "nope"), out _));
    }
}
