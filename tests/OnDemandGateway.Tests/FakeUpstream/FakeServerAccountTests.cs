using OnDemandGateway.FakeUpstream;

namespace OnDemandGateway.Tests.FakeUpstream;

/// <summary>Account credentials: signin, chat headers, token expiry, refresh and revocation.</summary>
public sealed class FakeServerAccountTests
{
    private const string Email = "alice@example.com";
    private const string Password = "s3cret";

    [Fact]
    public async Task Signin_ValidAccount_ReturnsTokensUserAndCompany()
    {
        await using var fake = await StartWithAccountAsync();
        using var client = new FakeUpstreamClient(fake);

        using var response = await client.SigninResponseAsync(Email, Password);

        Assert.Equal(200, (int)response.StatusCode);
        var data = (await FakeUpstreamClient.JsonOf(response)).GetProperty("data");
        Assert.NotEmpty(data.GetProperty("tokenData").GetProperty("token").GetString()!);
        Assert.NotEmpty(data.GetProperty("tokenData").GetProperty("refreshToken").GetString()!);
        Assert.NotEmpty(data.GetProperty("user").GetProperty("userId").GetString()!);
        Assert.NotEmpty(data.GetProperty("user").GetProperty("default_company_id").GetString()!);
        Assert.Equal(1, fake.SigninCount);
        var call = Assert.Single(fake.Calls);
        Assert.Equal(FakeCallKind.Signin, call.Kind);
        Assert.Equal(Email, call.Credential);
    }

    [Theory]
    [InlineData(Email, "wrong")]
    [InlineData("nobody@example.com", Password)]
    public async Task Signin_WrongCredentials_Returns401Unauthenticated(string email, string password)
    {
        await using var fake = await StartWithAccountAsync();
        using var client = new FakeUpstreamClient(fake);

        using var response = await client.SigninResponseAsync(email, password);

        Assert.Equal(401, (int)response.StatusCode);
        Assert.Equal("unauthenticated", (await FakeUpstreamClient.ErrorOf(response)).Code);
    }

    [Fact]
    public async Task AccountFlow_SigninSessionSyncAndStream_AnswersOnClientPath()
    {
        await using var fake = await StartWithAccountAsync();
        using var client = new FakeUpstreamClient(fake);
        var login = await client.SigninAsync(Email, Password);

        var sessionId = await client.CreateSessionAsync(login);
        using var sync = await client.QueryAsync(login, sessionId, FakeUpstreamClient.QueryBody("What is 2+2?"));
        using var stream = await client.QueryAsync(login, sessionId, FakeUpstreamClient.QueryBody("And 3+3?", "stream"));

        Assert.Equal(200, (int)sync.StatusCode);
        Assert.Equal("Fake answer to: What is 2+2?", (await FakeUpstreamClient.JsonOf(sync)).GetProperty("data").GetProperty("answer").GetString());
        Assert.Equal(200, (int)stream.StatusCode);
        Assert.Equal("Fake answer to: And 3+3?", FakeUpstreamClient.AnswerOf(SseFrame.ParseAll(await stream.Content.ReadAsStringAsync())));
        Assert.Equal(["What is 2+2?", "And 3+3?"], fake.QueriesInSession(sessionId));
        Assert.All(fake.Calls.Where(c => c.Kind != FakeCallKind.Signin), c => Assert.Equal(Email, c.Credential));
    }

    [Fact]
    public async Task ChatCall_AfterExpireAccessTokens_Returns401AndRefreshedTokenWorks()
    {
        await using var fake = await StartWithAccountAsync();
        using var client = new FakeUpstreamClient(fake);
        var login = await client.SigninAsync(Email, Password);
        var sessionId = await client.CreateSessionAsync(login);

        fake.ExpireAccessTokens();
        using var expired = await client.QueryAsync(login, sessionId, FakeUpstreamClient.QueryBody("hi"));
        using var refresh = await client.RefreshAsync(login);
        var data = (await FakeUpstreamClient.JsonOf(refresh)).GetProperty("data");
        var refreshed = login with { Token = data.GetProperty("token").GetString()!, RefreshToken = data.GetProperty("refreshToken").GetString()! };
        using var retried = await client.QueryAsync(refreshed, sessionId, FakeUpstreamClient.QueryBody("hi"));

        Assert.Equal(401, (int)expired.StatusCode);
        Assert.Equal("unauthenticated", (await FakeUpstreamClient.ErrorOf(expired)).Code);
        Assert.Equal(200, (int)refresh.StatusCode);
        Assert.NotEqual(login.Token, refreshed.Token);
        Assert.Equal(200, (int)retried.StatusCode);
        Assert.Equal(1, fake.RefreshCount);
    }

    [Fact]
    public async Task Refresh_WithRefreshOmitsRefreshToken_ReturnsOnlyTokenAndOldRefreshTokenStillWorks()
    {
        await using var fake = await StartWithAccountAsync(new FakeOnDemandOptions { Quiet = true, RefreshOmitsRefreshToken = true });
        using var client = new FakeUpstreamClient(fake);
        var login = await client.SigninAsync(Email, Password);

        using var first = await client.RefreshAsync(login);
        using var second = await client.RefreshAsync(login);

        var data = (await FakeUpstreamClient.JsonOf(first)).GetProperty("data");
        Assert.NotEmpty(data.GetProperty("token").GetString()!);
        Assert.False(data.TryGetProperty("refreshToken", out _));
        Assert.Equal(200, (int)second.StatusCode);
    }

    [Fact]
    public async Task Refresh_AfterRevokeRefreshTokens_Returns401AndNewSigninWorks()
    {
        await using var fake = await StartWithAccountAsync();
        using var client = new FakeUpstreamClient(fake);
        var login = await client.SigninAsync(Email, Password);

        fake.ExpireAccessTokens();
        fake.RevokeRefreshTokens();
        using var refresh = await client.RefreshAsync(login);
        var again = await client.SigninAsync(Email, Password);
        var sessionId = await client.CreateSessionAsync(again);

        Assert.Equal(401, (int)refresh.StatusCode);
        Assert.Equal("unauthenticated", (await FakeUpstreamClient.ErrorOf(refresh)).Code);
        Assert.NotEmpty(sessionId);
        Assert.Equal(2, fake.SigninCount);
    }

    [Fact]
    public async Task CreateSession_WrongCompanyOrMissingUserId_Returns403Unauthorized()
    {
        await using var fake = await StartWithAccountAsync();
        using var client = new FakeUpstreamClient(fake);
        var login = await client.SigninAsync(Email, Password);
        const string body = """{"externalUserId":"u","pluginIds":[]}""";

        using var wrongCompany = await client.PostAsync(login.Prefix, body, login with { CompanyId = "company-other" }, sessionCreation: true);
        using var noUserId = await client.PostAsync(login.Prefix, body, login, sessionCreation: false);

        Assert.Equal(403, (int)wrongCompany.StatusCode);
        Assert.Equal("unauthorized", (await FakeUpstreamClient.ErrorOf(wrongCompany)).Code);
        Assert.Equal(403, (int)noUserId.StatusCode);
    }

    [Fact]
    public async Task AccountSession_QueriedWithApiKeyPath_Returns404()
    {
        await using var fake = await StartWithAccountAsync();
        fake.AddApiKey("key-1");
        using var client = new FakeUpstreamClient(fake);
        var login = await client.SigninAsync(Email, Password);
        var sessionId = await client.CreateSessionAsync(login);

        using var response = await client.QueryAsync(ChatAuth.Key("key-1"), sessionId, FakeUpstreamClient.QueryBody("hi"));

        Assert.Equal(404, (int)response.StatusCode);
        Assert.Equal("not_found", (await FakeUpstreamClient.ErrorOf(response)).Code);
    }

    [Fact]
    public async Task AcceptAnyCredential_UnknownAccountAndKey_AreAccepted()
    {
        await using var fake = await FakeOnDemandServer.StartAsync(new FakeOnDemandOptions { Quiet = true, AcceptAnyCredential = true });
        using var client = new FakeUpstreamClient(fake);

        var login = await client.SigninAsync("demo@example.com", "anything");
        var accountSession = await client.CreateSessionAsync(login);
        var keySession = await client.CreateSessionAsync(ChatAuth.Key("any-key"));

        Assert.NotEqual(accountSession, keySession);
    }

    private static async Task<FakeOnDemandServer> StartWithAccountAsync(FakeOnDemandOptions? options = null)
    {
        var fake = await FakeOnDemandServer.StartAsync(options ?? new FakeOnDemandOptions { Quiet = true });
        fake.AddAccount(Email, Password);
        return fake;
    }
}
