using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OnDemandGateway.Configuration;
using OnDemandGateway.FakeUpstream;
using OnDemandGateway.Tests.TestSupport;

namespace OnDemandGateway.Tests.Relay;

/// <summary>Upstream faults scripted on the fake, observed as a client and as the upstream's call log.</summary>
public sealed class ResilienceTests
{
    private static readonly object Body = new { model = "gpt-4o", messages = new[] { new { role = "user", content = "hello" } } };
    private static string Alpha => GatewayHost.ApiKeys[0];
    private static string Bravo => GatewayHost.ApiKeys[1];

    private static List<FakeCall> Queries(GatewayHost host) => host.Upstream.Calls.Where(c => c.Kind == FakeCallKind.Query).ToList();

    private static async Task<JsonElement> Accounts(GatewayHost host)
    {
        using var doc = JsonDocument.Parse(await host.Http.GetStringAsync("/api/accounts"));
        return doc.RootElement.GetProperty("credentials").Clone();
    }

    [Fact]
    public async Task RateLimited_MovesToNextCredentialAtOnce_AndCoolsTheFirstDown()
    {
        await using var host = await GatewayHost.StartAsync();
        host.Upstream.Handler = call => call.Kind == FakeCallKind.Query && call.Credential == Alpha
            ? FakeReply.Status(429, "rate_limit_exceeded", "slow down", TimeSpan.FromSeconds(120)) : null;

        var first = await host.Http.PostAsJsonAsync("/v1/chat/completions", Body);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal([Alpha, Bravo], Queries(host).Select(q => q.Credential));

        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, (await host.Http.PostAsJsonAsync("/v1/chat/completions", Body)).StatusCode);
        Assert.All(Queries(host).Skip(2), q => Assert.Equal(Bravo, q.Credential));

        var accounts = await Accounts(host);
        Assert.Equal("cooling", accounts[0].GetProperty("state").GetString());
        var until = accounts[0].GetProperty("cooling_until").GetDateTimeOffset();
        Assert.InRange(until - DateTimeOffset.UtcNow, TimeSpan.FromSeconds(100), TimeSpan.FromSeconds(121));
        Assert.Equal("ok", accounts[1].GetProperty("state").GetString());
        Assert.DoesNotContain("alpha", accounts.ToString());
    }

    [Fact]
    public async Task AllCoolingBeyondTheWaitBound_Answers429WithRetryAfterAtOnce()
    {
        await using var host = await GatewayHost.StartAsync(o => o with { AllCoolingMaxWaitSeconds = 1 });
        host.Upstream.Handler = call => call.Kind == FakeCallKind.Query ? FakeReply.Status(429, "rate_limit_exceeded", "slow down", TimeSpan.FromSeconds(90)) : null;

        var response = await host.Http.PostAsJsonAsync("/v1/chat/completions", Body);
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.InRange(response.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 80, 90);
        Assert.False(response.Headers.Contains("x-should-retry"));   // waiting does help here
        Assert.Equal(2, Queries(host).Count);

        var again = await host.Http.PostAsJsonAsync("/v1/chat/completions", Body);
        Assert.Equal(HttpStatusCode.TooManyRequests, again.StatusCode);
        using var error = JsonDocument.Parse(await again.Content.ReadAsStringAsync());
        Assert.Equal("rate_limit_exceeded", error.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(2, Queries(host).Count); // never falls back to a credential known to be cooling
    }

    [Fact]
    public async Task ServerError_IsRetriedWithBackoff_AndNeverTakesTheCredentialOut()
    {
        await using var host = await GatewayHost.StartAsync(o => o with { Credentials = o.Credentials.Take(1).ToList(), MaxRetries = 3 });
        host.Upstream.Enqueue(FakeReply.Status(500, "server_error", "boom"), FakeReply.Status(503, "resource_unavailable", "busy"));

        var response = await host.Http.PostAsJsonAsync("/v1/chat/completions", Body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, Queries(host).Count);
        var account = (await Accounts(host))[0];
        Assert.Equal("ok", account.GetProperty("state").GetString());
        Assert.Contains("boom", account.GetProperty("last_error").GetString()!.Replace("busy", "boom"));
    }

    [Fact]
    public async Task ServerError_BeyondMaxRetries_Is502InOpenAiEnvelope()
    {
        await using var host = await GatewayHost.StartAsync(o => o with { MaxRetries = 2 });
        host.Upstream.Handler = call => call.Kind == FakeCallKind.Query ? FakeReply.Status(500, "model_error", "model crashed") : null;

        var response = await host.Http.PostAsJsonAsync("/v1/chat/completions", Body);
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(3, Queries(host).Count);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("model_error", error.RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task UpstreamBadRequest_IsNeverRetried()
    {
        await using var host = await GatewayHost.StartAsync();
        host.Upstream.Enqueue(FakeReply.Status(400, "context_length_exceeded", "too long"));

        var response = await host.Http.PostAsJsonAsync("/v1/chat/completions", Body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Single(Queries(host));
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("context_length_exceeded", error.RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task ConnectionReset_IsRetriedOnAFreshSession()
    {
        // The session is created on the connection the query then reuses (no reserve): the reset must be retried
        // by the relay on a new session, not resent by the HTTP client into the same one.
        await using var host = await GatewayHost.StartAsync(o => o with { Credentials = o.Credentials.Take(1).ToList() });
        host.Upstream.Enqueue(FakeReply.Reset());
        var response = await host.Http.PostAsJsonAsync("/v1/chat/completions", Body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var queries = Queries(host);
        Assert.Equal(2, queries.Count);
        Assert.NotEqual(queries[0].SessionId, queries[1].SessionId);
    }

    [Fact]
    public async Task QueryAcceptedThenConnectionDropped_IsRetriedOnAFreshSession_NoSessionGetsItTwice()
    {
        // The fake takes the query into the session's history, then drops the (reused) connection unanswered.
        await using var host = await GatewayHost.StartAsync(o => o with { Credentials = o.Credentials.Take(1).ToList() });
        host.Upstream.Enqueue(FakeReply.Stream(FakeStreamStep.Abort()));
        var response = await host.Http.PostAsJsonAsync("/v1/chat/completions", Body);

        var queries = Queries(host);
        Assert.All(queries, q => Assert.Single(host.Upstream.QueriesInSession(q.SessionId!)));
        Assert.Equal(2, queries.Count);
        Assert.NotEqual(queries[0].SessionId, queries[1].SessionId);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task InvalidApiKey_IsTakenOutOfRotation_AndTheOtherServes()
    {
        await using var host = await GatewayHost.StartAsync(o => o with
        {
            Credentials = [new CredentialOptions(CredentialKind.ApiKey, "revoked-key-000000", null, null), o.Credentials[1]],
        });
        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, (await host.Http.PostAsJsonAsync("/v1/chat/completions", Body)).StatusCode);
        var accounts = await Accounts(host);
        Assert.Equal("invalid", accounts[0].GetProperty("state").GetString());
        Assert.Equal(1, host.Upstream.Calls.Count(c => c.Credential == "revoked-key-000000"));
    }

    [Fact]
    public async Task EveryCredentialRefused_Answers503_ThatRetryingWillNotHelp()
    {
        await using var host = await GatewayHost.StartAsync(o => o with
        {
            Credentials = [new CredentialOptions(CredentialKind.ApiKey, "revoked-key-000000", null, null)],
        });

        var first = await host.Http.PostAsJsonAsync("/v1/chat/completions", Body);    // refused by the upstream
        var second = await host.Http.PostAsJsonAsync("/v1/chat/completions", Body);   // known invalid: not tried

        foreach (var response in new[] { first, second })
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Contains("no_valid_credentials", await response.Content.ReadAsStringAsync());
            Assert.Equal(["false"], response.Headers.GetValues("x-should-retry"));
        }
        Assert.Single(Queries(host).Concat(host.Upstream.Calls.Where(c => c.Kind == FakeCallKind.CreateSession)));
    }

    [Fact]
    public async Task Deadline_NonStreamHang_Is504()
    {
        // The deadline runs on the host's clock: it moves only once the query hangs upstream, so the deadline
        // cannot fire before the query is sent, however slow the machine.
        var clock = new ManualTimeProvider();
        await using var host = await GatewayHost.StartAsync(o => o with { RequestTimeoutSeconds = 0.5 },
            services: s => s.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock)));
        var reached = new TaskCompletionSource<FakeCall>(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Upstream.Handler = call =>
        {
            if (call.Kind != FakeCallKind.Query) return null;
            reached.TrySetResult(call);
            return FakeReply.Hang();
        };
        var sending = host.Http.PostAsJsonAsync("/v1/chat/completions", Body);
        var query = await reached.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(sending.IsCompleted);

        clock.Advance(TimeSpan.FromSeconds(0.5));
        var response = await sending.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        await query.Aborted.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Single(Queries(host));
    }

    [Fact]
    public async Task StreamIdleTimeout_IsAnInBandError()
    {
        await using var host = await GatewayHost.StartAsync(o => o with { StreamTimeoutSeconds = 0.5 });
        host.Upstream.Enqueue(FakeReply.Stream(FakeStreamStep.Delta("a"), FakeStreamStep.HangForever()));
        using var response = await ChatCompletionsTests.PostStream(host, new { model = "gpt-4o", stream = true, messages = new[] { new { role = "user", content = "x" } } });
        var (data, _) = await SseReader.ReadAllAsync(response);
        Assert.Equal("upstream_timeout", JsonDocument.Parse(data[^1]).RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.DoesNotContain("[DONE]", data);
    }

    [Fact]
    public async Task ClientDisconnectMidStream_CancelsTheUpstreamRequest_WithoutBlamingTheCredential()
    {
        await using var host = await GatewayHost.StartAsync();
        host.Upstream.Enqueue(FakeReply.Stream(FakeStreamStep.Delta("first"), FakeStreamStep.HangForever()));
        using var cts = new CancellationTokenSource();
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = JsonContent.Create(new { model = "gpt-4o", stream = true, messages = new[] { new { role = "user", content = "x" } } }),
        };
        var response = await host.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
        var stream = await response.Content.ReadAsStreamAsync(cts.Token);
        var buffer = new byte[256];
        Assert.True(await stream.ReadAsync(buffer, cts.Token) > 0);
        response.Dispose();

        var query = Queries(host).Single();
        await query.Aborted.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("ok", (await Accounts(host))[0].GetProperty("state").GetString());
        Assert.Equal(0, (await Accounts(host))[0].GetProperty("failures").GetInt64());
    }

    [Fact]
    public async Task NoCredentials_Answers503SayingWhatToConfigure_AndThatRetryingWillNotHelp()
    {
        await using var host = await GatewayHost.StartAsync(o => o with { Credentials = [] });
        var response = await host.Http.PostAsJsonAsync("/v1/chat/completions", Body);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        // OpenAI's SDKs honour x-should-retry and would otherwise wait out a Retry-After twice before showing this.
        Assert.Equal(["false"], response.Headers.GetValues("x-should-retry"));
        Assert.Null(response.Headers.RetryAfter);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("ONDEMAND_API_KEYS", text);
        var health = JsonDocument.Parse(await host.Http.GetStringAsync("/health")).RootElement;
        Assert.Equal("ok", health.GetProperty("status").GetString());
        Assert.False(health.GetProperty("ready").GetBoolean());
    }
}
