using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using OnDemandGateway.Accounts;
using OnDemandGateway.Configuration;
using OnDemandGateway.FakeUpstream;
using OnDemandGateway.Tests.Upstream.Http;
using OnDemandGateway.Upstream;
using OnDemandGateway.Upstream.Http;

namespace OnDemandGateway.Tests.Upstream;

/// <summary><see cref="OnDemandClient.CreateSessionsAsync"/>: a batch of session creations in one pipelined round
/// trip, with each reply mapped to a session id or a classified error.</summary>
public sealed class OnDemandClientSessionBatchTests
{
    private const string ApiKey = "batch-test-key-0001";
    private const string Email = "batch@example.com";
    private const string Password = "batch password";

    private static UpstreamHttpClient NewHttp() => new(new UpstreamHttpOptions { Proxy = null }, TimeProvider.System);

    private static GatewayOptions Options(Uri baseUrl) => new() { OnDemandApiBase = baseUrl.ToString(), OnDemandAuthBase = baseUrl.ToString() };

    private static OnDemandClient NewClient(UpstreamHttpClient http, GatewayOptions options) => new(http, options, NullLogger<OnDemandClient>.Instance);

    private static CredentialState KeyCredential() => new(new CredentialOptions(CredentialKind.ApiKey, ApiKey, null, null), 0);

    private static CredentialState AccountCredential() => new(new CredentialOptions(CredentialKind.Account, null, Email, Password), 0);

    [Fact]
    public async Task CreateSessionsAsync_429InsideTheBatch_IsRateLimitedWithRetryAfter_AndTheOtherSessionsAreKept()
    {
        using var server = new RawServer();
        using var http = NewHttp();
        var client = NewClient(http, Options(new Uri($"http://127.0.0.1:{server.Port}")));

        var creating = client.CreateSessionsAsync(KeyCredential(), 3, CancellationToken.None).WaitAsync(RawServer.Timeout);
        using var connection = await server.AcceptAsync();
        var requests = new List<RawRequest>();
        for (var i = 0; i < 3; i++) requests.Add(await connection.ReadRequestAsync());
        const string error = """{"errorCode":"rate_limited","message":"slow down"}""";
        await connection.WriteAsync(RawReplies.SessionCreated("s-1")
            + $"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 7\r\nContent-Type: application/json\r\nContent-Length: {error.Length}\r\n\r\n{error}"
            + RawReplies.SessionCreated("s-3"));
        var results = await creating;

        Assert.All(requests, r =>
        {
            Assert.Equal("POST /chat/v1/sessions HTTP/1.1", r.RequestLine);
            Assert.Equal(ApiKey, r.Header("apikey"));
            Assert.Null(r.Header("Authorization"));
            Assert.Contains("\"externalUserId\":\"odg-", Encoding.UTF8.GetString(r.Body));
        });
        Assert.Equal(3, requests.Select(r => Encoding.UTF8.GetString(r.Body)).Distinct().Count());   // one external user each
        Assert.Equal("s-1", results[0].Value);
        Assert.False(results[1].IsSuccess);
        var rateLimited = results[1].Error!;
        Assert.Equal(UpstreamErrorKind.RateLimited, rateLimited.Kind);
        Assert.Equal(429, rateLimited.Status);
        Assert.Equal("rate_limited", rateLimited.Code);
        Assert.Equal("slow down", rateLimited.Message);
        Assert.Equal(TimeSpan.FromSeconds(7), rateLimited.RetryAfter);
        Assert.Equal("s-3", results[2].Value);
    }

    [Fact]
    public async Task CreateSessionsAsync_ConnectionClosedUnanswered_EveryCreationFailsAsATransportError()
    {
        using var server = new RawServer();
        using var http = NewHttp();
        var client = NewClient(http, Options(new Uri($"http://127.0.0.1:{server.Port}")));

        var creating = client.CreateSessionsAsync(KeyCredential(), 2, CancellationToken.None).WaitAsync(RawServer.Timeout);
        var connection = await server.AcceptAsync();
        await connection.ReadRequestAsync();
        await connection.ReadRequestAsync();
        connection.Dispose();
        var results = await creating;

        Assert.Equal(2, results.Length);
        Assert.All(results, r => Assert.False(r.IsSuccess));
    }

    [Fact]
    public async Task CreateSessionsAsync_ApiKeyAgainstTheFake_CreatesDistinctUsableSessionsInOnePipelinedBatch()
    {
        await using var fake = await FakeOnDemandServer.StartAsync(new FakeOnDemandOptions { Quiet = true });
        fake.AddApiKey(ApiKey);
        using var http = NewHttp();
        var options = Options(fake.BaseUrl);
        var client = NewClient(http, options);
        var credential = KeyCredential();

        var results = await client.CreateSessionsAsync(credential, 5, CancellationToken.None).WaitAsync(RawServer.Timeout);

        Assert.All(results, r => Assert.True(r.IsSuccess, r.Error?.ToString()));
        var ids = results.Select(r => r.Value!).ToList();
        Assert.Equal(5, ids.Distinct().Count());
        var creations = fake.Calls.Where(c => c.Kind == FakeCallKind.CreateSession).ToList();
        Assert.Equal(5, creations.Count);
        Assert.All(creations, c => Assert.Equal(ApiKey, c.Credential));
        Assert.Equal(ids.Order(), creations.Select(c => c.SessionId!).Order());
        Assert.True(http.Pipelines(UpstreamOrigin.Parse(fake.BaseUrl.ToString())), "the fake (Kestrel) answered the batch incompletely");
        await AssertEachSessionAnswersAQueryAsync(client, credential, options, ids, fake);
    }

    [Fact]
    public async Task CreateSessionsAsync_AccountAgainstTheFake_SignsInOnce_AndSendsBearerCompanyAndUser()
    {
        await using var fake = await FakeOnDemandServer.StartAsync(new FakeOnDemandOptions { Quiet = true });
        fake.AddAccount(Email, Password);
        using var http = NewHttp();
        var options = Options(fake.BaseUrl);
        var client = NewClient(http, options);
        var credential = AccountCredential();

        var results = await client.CreateSessionsAsync(credential, 4, CancellationToken.None).WaitAsync(RawServer.Timeout);

        Assert.All(results, r => Assert.True(r.IsSuccess, r.Error?.ToString()));
        var ids = results.Select(r => r.Value!).ToList();
        Assert.Equal(4, ids.Distinct().Count());
        Assert.Equal(1, fake.SigninCount);
        var creations = fake.Calls.Where(c => c.Kind == FakeCallKind.CreateSession).ToList();
        Assert.Equal(4, creations.Count);
        Assert.All(creations, c =>
        {
            Assert.StartsWith("/chat/v1/client/sessions", c.Path);
            Assert.StartsWith("Bearer ", c.Headers["Authorization"]);
            Assert.True(c.Headers.ContainsKey("x-company-id"));
            Assert.True(c.Headers.ContainsKey("x-user-id"));
            Assert.False(c.Headers.ContainsKey("apikey"));
        });
        await AssertEachSessionAnswersAQueryAsync(client, credential, options, ids, fake);
    }

    [Fact]
    public async Task CreateSessionsAsync_AccountWithAWrongPassword_FailsEveryCreationWithoutSendingAny()
    {
        await using var fake = await FakeOnDemandServer.StartAsync(new FakeOnDemandOptions { Quiet = true });
        fake.AddAccount(Email, "another password");
        using var http = NewHttp();
        var client = NewClient(http, Options(fake.BaseUrl));

        var results = await client.CreateSessionsAsync(AccountCredential(), 3, CancellationToken.None).WaitAsync(RawServer.Timeout);

        Assert.Equal(3, results.Length);
        Assert.All(results, r => Assert.Equal(UpstreamErrorKind.Unauthenticated, r.Error?.Kind));
        Assert.Equal(1, fake.SigninCount);
        Assert.DoesNotContain(fake.Calls, c => c.Kind == FakeCallKind.CreateSession);
    }

    private static async Task AssertEachSessionAnswersAQueryAsync(OnDemandClient client, CredentialState credential, GatewayOptions options, List<string> ids, FakeOnDemandServer fake)
    {
        foreach (var id in ids)
        {
            var answer = await client.QuerySyncAsync(credential, id, new UpstreamQuery($"hello {id}", options.DefaultEndpointId, new ModelConfigs()), CancellationToken.None)
                .WaitAsync(RawServer.Timeout);
            Assert.True(answer.IsSuccess, answer.Error?.ToString());
            Assert.Equal([$"hello {id}"], fake.QueriesInSession(id));
        }
    }
}
