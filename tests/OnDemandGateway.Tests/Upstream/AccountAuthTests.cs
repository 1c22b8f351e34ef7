using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OnDemandGateway.Accounts;
using OnDemandGateway.Configuration;
using OnDemandGateway.FakeUpstream;
using OnDemandGateway.Tests.TestSupport;
using OnDemandGateway.Upstream;

namespace OnDemandGateway.Tests.Upstream;

/// <summary>Email + password accounts: signin once, bearer + company headers, refresh on 401, then re-signin.</summary>
public sealed class AccountAuthTests
{
    private const string Email = "ana@example.com";
    private const string Password = "correct horse battery";
    private static readonly object Body = new { model = "gpt-4o", messages = new[] { new { role = "user", content = "hello" } } };

    private static Task<GatewayHost> StartWithAccount(string password = Password, int sessionPool = 0) =>
        GatewayHost.StartAsync(o => o with
        {
            Credentials = [new CredentialOptions(CredentialKind.Account, null, Email, password)],
            SessionPoolSize = sessionPool,
        });

    [Fact]
    public async Task ConcurrentRequests_SignInOnce_AndUseBearerAndCompanyHeaders()
    {
        await using var host = await StartWithAccount();
        host.Upstream.AddAccount(Email, Password);
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => host.Http.PostAsJsonAsync("/v1/chat/completions", Body)));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1, host.Upstream.SigninCount);

        var session = host.Upstream.Calls.First(c => c.Kind == FakeCallKind.CreateSession);
        Assert.StartsWith("/chat/v1/client/sessions", session.Path);
        Assert.StartsWith("Bearer ", session.Headers["Authorization"]);
        Assert.True(session.Headers.ContainsKey("x-company-id"));
        Assert.True(session.Headers.ContainsKey("x-user-id"));
        var query = host.Upstream.Calls.First(c => c.Kind == FakeCallKind.Query);
        Assert.True(query.Headers.ContainsKey("x-company-id"));
        Assert.False(query.Headers.ContainsKey("apikey"));
    }

    [Fact]
    public async Task ExpiredToken_IsRefreshedOnce_AndTheRequestSucceeds()
    {
        await using var host = await StartWithAccount();
        host.Upstream.AddAccount(Email, Password);
        Assert.Equal(HttpStatusCode.OK, (await host.Http.PostAsJsonAsync("/v1/chat/completions", Body)).StatusCode);
        host.Upstream.ExpireAccessTokens();

        Assert.Equal(HttpStatusCode.OK, (await host.Http.PostAsJsonAsync("/v1/chat/completions", Body)).StatusCode);
        Assert.Equal(1, host.Upstream.RefreshCount);
        Assert.Equal(1, host.Upstream.SigninCount);
    }

    [Fact]
    public async Task ExpiredTokenAndRevokedRefresh_SignsInAgain()
    {
        await using var host = await StartWithAccount();
        host.Upstream.AddAccount(Email, Password);
        Assert.Equal(HttpStatusCode.OK, (await host.Http.PostAsJsonAsync("/v1/chat/completions", Body)).StatusCode);
        host.Upstream.ExpireAccessTokens();
        host.Upstream.RevokeRefreshTokens();

        Assert.Equal(HttpStatusCode.OK, (await host.Http.PostAsJsonAsync("/v1/chat/completions", Body)).StatusCode);
        Assert.Equal(2, host.Upstream.SigninCount);
    }

    [Fact]
    public async Task WrongPassword_MarksTheAccountInvalid_WithoutALoginLoop()
    {
        await using var host = await StartWithAccount("wrong password");
        host.Upstream.AddAccount(Email, Password);
        var response = await host.Http.PostAsJsonAsync("/v1/chat/completions", Body);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("no_valid_credentials", await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await host.Http.PostAsJsonAsync("/v1/chat/completions", Body)).StatusCode);
        Assert.Equal(1, host.Upstream.SigninCount);
        Assert.DoesNotContain(Password, await host.Http.GetStringAsync("/api/accounts"));
    }

    [Fact]
    public async Task SigninRefused_EightConcurrentRequests_SignInOnce_AndAllAnswer503()
    {
        await using var host = await StartWithAccount();
        host.Upstream.AddAccount(Email, Password);
        var account = host.Service<CredentialPool>().Credentials[0];
        var signins = 0;
        var allHolding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // The upstream refuses the first signin only once all eight requests hold the account: seven of them are
        // waiting for that signin when it fails. The fake holds that answer back without holding a thread.
        var refused = FakeReply.Status(401, "unauthenticated", "Invalid email or password.");
        host.Upstream.Handler = call => call.Kind != FakeCallKind.Signin ? null
            : Interlocked.Increment(ref signins) == 1 ? FakeReply.After(allHolding.Task, refused) : refused;

        var requests = Task.WhenAll(Enumerable.Range(0, 8).Select(_ => host.Http.PostAsJsonAsync("/v1/chat/completions", Body)));
        var allWaiting = await Eventually(() => account.InFlight == 8);
        allHolding.SetResult();
        var responses = await requests;

        Assert.True(allWaiting, "the eight requests never held the account at once: the test proved nothing");
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.ServiceUnavailable, r.StatusCode));
        Assert.Equal(1, host.Upstream.SigninCount);
        Assert.Equal("invalid", JsonDocument.Parse(await host.Http.GetStringAsync("/api/accounts")).RootElement
            .GetProperty("credentials")[0].GetProperty("state").GetString());
    }

    [Fact]
    public async Task RefreshFailsAndTheQueryStays401_SignsInOnceThenGivesUp()
    {
        await using var host = await StartWithAccount();
        host.Upstream.AddAccount(Email, Password);
        Assert.Equal(HttpStatusCode.OK, (await host.Http.PostAsJsonAsync("/v1/chat/completions", Body)).StatusCode);
        host.Upstream.RevokeRefreshTokens();
        host.Upstream.Handler = call => call.Kind == FakeCallKind.Query ? FakeReply.Status(401, "unauthenticated", "token expired") : null;

        var response = await host.Http.PostAsJsonAsync("/v1/chat/completions", Body);

        // 401 -> refresh (refused) -> signin -> 401 -> give up: one refresh and one signin for this request.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(1, host.Upstream.RefreshCount);
        Assert.Equal(2, host.Upstream.SigninCount);   // the first request's, and this one's
        Assert.Equal(3, host.Upstream.QueryCount);    // the first request's, and two tries of this one
    }

    [Fact]
    public async Task SessionPool_PreCreatesSessions_SoARequestCostsOneUpstreamCall()
    {
        await using var host = await StartWithAccount(sessionPool: 2);
        host.Upstream.AddAccount(Email, Password);
        Assert.Equal(HttpStatusCode.OK, (await host.Http.PostAsJsonAsync("/v1/chat/completions", Body)).StatusCode);
        var reserve = host.Service<CredentialPool>().Credentials[0].Sessions;
        await WaitUntil(() => reserve.Count >= 2);
        var supplied = host.Service<SessionSupply>().Counts;
        var before = host.Upstream.CallCount;
        var createdBefore = host.Upstream.Calls.Take(before).Where(c => c.Kind == FakeCallKind.CreateSession).Select(c => c.SessionId).ToHashSet();

        Assert.Equal(HttpStatusCode.OK, (await host.Http.PostAsJsonAsync("/v1/chat/completions", Body)).StatusCode);

        // The request's one upstream call on its path is its query, on a session created before it was sent.
        // (The reserve's refill races the query to the upstream on another connection, so the order of the calls
        // after `before` is not the request's path.)
        var query = Assert.Single(host.Upstream.Calls.Skip(before), c => c.Kind == FakeCallKind.Query);
        Assert.Contains(query.SessionId, createdBefore);
        Assert.Equal(supplied with { FromReserve = supplied.FromReserve + 1 }, host.Service<SessionSupply>().Counts);
        var sessions = host.Upstream.Calls.Where(c => c.Kind == FakeCallKind.Query).Select(c => c.SessionId).ToList();
        Assert.Equal(sessions.Count, sessions.Distinct().Count());
    }

    /// <summary>Whether <paramref name="condition"/> came to hold within 10 s.</summary>
    private static async Task<bool> Eventually(Func<bool> condition)
    {
        try
        {
            await WaitUntil(condition);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }
}
