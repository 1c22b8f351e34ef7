using System.Net;
using OnDemandGateway.Auth;
using OnDemandGateway.Tests.TestSupport;

namespace OnDemandGateway.Tests.Dashboard;

/// <summary>The dashboard's HTTP contract without a browser: login, cookie flags, CSRF on /save_stats, assets.</summary>
public sealed class DashboardEndpointsTests
{
    [Fact]
    public async Task Login_RightToken_SetsHttpOnlyStrictSessionCookieAndRedirects()
    {
        await using var host = await BrowserGatewayHost.StartAsync();
        using var client = host.Client();

        using var response = await client.PostAsync("login", new FormUrlEncodedContent([new("token", BrowserGatewayHost.Token)]));

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("/", response.Headers.Location!.OriginalString);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith(DashboardSessions.CookieName + "=test", cookie);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(BrowserGatewayHost.Token, cookie);
    }

    [Fact]
    public async Task Login_WrongToken_Returns401LoginPageWithErrorAndNoCookie()
    {
        await using var host = await BrowserGatewayHost.StartAsync();
        using var client = host.Client();

        using var response = await client.PostAsync("login", new FormUrlEncodedContent([new("token", "guess")]));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"));
        Assert.Contains("name=\"token\"", html);
        Assert.Contains("id=\"login-error\"", html);
        Assert.DoesNotContain("id=\"login-error\" role=\"alert\" data-i18n=\"login.error\" hidden", html);
    }

    [Fact]
    public async Task Root_Anonymous_ServesOnlyTheLoginShell()
    {
        await using var host = await BrowserGatewayHost.StartAsync();
        using var client = host.Client();

        using var response = await client.GetAsync("");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("action=\"/login\"", html);
        Assert.DoesNotContain("csrf-token", html);
        Assert.DoesNotContain("dashboard.js", html);
        Assert.Equal("no-store", response.Headers.CacheControl!.ToString());
        Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Fact]
    public async Task SaveStats_CookieWithoutCsrf_Returns403AndDoesNotFlush()
    {
        await using var host = await BrowserGatewayHost.StartAsync();
        var (client, _, _) = await host.LoginAsync();

        using var response = await client.PostAsync("save_stats", null);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(0, host.Flusher.Flushes);
        client.Dispose();
    }

    [Fact]
    public async Task SaveStats_CookieWithCsrfHeader_FlushesAndRedirectsHome()
    {
        await using var host = await BrowserGatewayHost.StartAsync();
        var (client, _, csrf) = await host.LoginAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "save_stats");
        request.Headers.Add("X-CSRF-Token", csrf);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("/", response.Headers.Location!.OriginalString);
        Assert.Equal(1, host.Flusher.Flushes);
        client.Dispose();
    }

    [Fact]
    public async Task SaveStats_CookieWithCsrfFormField_FlushesAndRedirectsHome()
    {
        await using var host = await BrowserGatewayHost.StartAsync();
        var (client, _, csrf) = await host.LoginAsync();

        using var response = await client.PostAsync("save_stats", new FormUrlEncodedContent([new("csrf", csrf)]));

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal(1, host.Flusher.Flushes);
        client.Dispose();
    }

    [Fact]
    public async Task SaveStats_TokenHeader_NeedsNoCsrf_NoAuth_Returns401()
    {
        await using var host = await BrowserGatewayHost.StartAsync();
        using var withToken = host.Client(bearer: BrowserGatewayHost.Token);
        using var anonymous = host.Client();

        Assert.Equal(HttpStatusCode.SeeOther, (await withToken.PostAsync("save_stats", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("save_stats", null)).StatusCode);
        Assert.Equal(1, host.Flusher.Flushes);
    }

    [Fact]
    public async Task Session_FromAnotherInstance_AcceptedWithSameToken_RejectedAfterRotation()
    {
        await using var first = await BrowserGatewayHost.StartAsync();
        await using var sameKeys = await BrowserGatewayHost.StartAsync();
        await using var rotated = await BrowserGatewayHost.StartAsync(BrowserGatewayHost.DefaultOptions(token: "rotated-token-0000000000"));
        var (client, cookies, _) = await first.LoginAsync();
        client.Dispose();
        var session = cookies.GetCookies(first.BaseAddress)[DashboardSessions.CookieName]!.Value;

        async Task<HttpStatusCode> StatsWithCookie(BrowserGatewayHost host)
        {
            using var other = host.Client();
            using var request = new HttpRequestMessage(HttpMethod.Get, "api/stats");
            request.Headers.Add("Cookie", $"{DashboardSessions.CookieName}={session}");
            using var response = await other.SendAsync(request);
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await StatsWithCookie(sameKeys));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatsWithCookie(rotated));
    }

    [Fact]
    public async Task Logout_ClearsCookie_RootShowsLoginAgain()
    {
        await using var host = await BrowserGatewayHost.StartAsync();
        var (client, _, _) = await host.LoginAsync();

        using var logout = await client.PostAsync("logout", null);
        var html = await client.GetStringAsync("");

        Assert.Equal(HttpStatusCode.SeeOther, logout.StatusCode);
        Assert.Contains("action=\"/login\"", html);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("api/stats")).StatusCode);
        client.Dispose();
    }

    [Theory]
    [InlineData("dashboard.js", "text/javascript; charset=utf-8")]
    [InlineData("dashboard.css", "text/css; charset=utf-8")]
    [InlineData("i18n.js", "text/javascript; charset=utf-8")]
    public async Task Asset_Known_ServedFromMemoryWithETag(string name, string contentType)
    {
        await using var host = await BrowserGatewayHost.StartAsync();
        using var client = host.Client();

        using var response = await client.GetAsync("dashboard/" + name);
        using var again = new HttpRequestMessage(HttpMethod.Get, "dashboard/" + name);
        again.Headers.TryAddWithoutValidation("If-None-Match", response.Headers.ETag!.ToString());
        using var revalidated = await client.SendAsync(again);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType!.ToString());
        Assert.True((await response.Content.ReadAsByteArrayAsync()).Length > 100);
        Assert.Equal(HttpStatusCode.NotModified, revalidated.StatusCode);
    }

    [Theory]
    [InlineData("dashboard/nope.js")]
    [InlineData("dashboard/dashboard.html")]
    public async Task Asset_UnknownOrTemplate_Returns404(string url)
    {
        await using var host = await BrowserGatewayHost.StartAsync();
        using var client = host.Client();
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(url)).StatusCode);
    }
}
