using System.Diagnostics;
using OnDemandGateway.FakeUpstream;

namespace OnDemandGateway.Tests.FakeUpstream;

/// <summary>Per-test scripting: Enqueue and Handler, HTTP errors, hangs, resets, aborts and call recording.</summary>
public sealed class FakeServerScriptingTests
{
    private const string Key = "key-script";

    [Fact]
    public async Task Enqueue_Status429WithRetryAfter_ReturnsHeaderAndErrorBodyOnce()
    {
        await using var fake = await StartAsync();
        fake.Enqueue(FakeReply.Status(429, "rate_limit_exceeded", "Slow down", TimeSpan.FromSeconds(1.5)));
        using var client = new FakeUpstreamClient(fake);
        var sessionId = await client.CreateSessionAsync(ChatAuth.Key(Key));

        using var limited = await client.QueryAsync(ChatAuth.Key(Key), sessionId, FakeUpstreamClient.QueryBody("one"));
        using var next = await client.QueryAsync(ChatAuth.Key(Key), sessionId, FakeUpstreamClient.QueryBody("two"));

        Assert.Equal(429, (int)limited.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(2), limited.Headers.RetryAfter!.Delta);
        Assert.Equal(("rate_limit_exceeded", "Slow down"), await FakeUpstreamClient.ErrorOf(limited));
        Assert.Equal(200, (int)next.StatusCode);
        Assert.Equal(0, fake.PendingReplies);
        Assert.Equal(["two"], fake.QueriesInSession(sessionId)); // a rejected query is not history
    }

    [Theory]
    [InlineData(500, "server_error")]
    [InlineData(500, "model_error")]
    [InlineData(502, "bad_gateway")]
    [InlineData(503, "resource_unavailable")]
    [InlineData(504, "plugin_execution_timeout")]
    public async Task Enqueue_ServerErrors_ReturnStatusAndErrorCode(int status, string code)
    {
        await using var fake = await StartAsync();
        fake.Enqueue(FakeReply.Status(status, code, "upstream trouble"));
        using var client = new FakeUpstreamClient(fake);
        var sessionId = await client.CreateSessionAsync(ChatAuth.Key(Key));

        using var response = await client.QueryAsync(ChatAuth.Key(Key), sessionId, FakeUpstreamClient.QueryBody("x", "stream"));

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(code, (await FakeUpstreamClient.ErrorOf(response)).Code);
        Assert.False(response.Headers.Contains("Retry-After"));
    }

    [Fact]
    public async Task After_QueryReply_WaitsForTheGateWithoutAnswering()
    {
        await using var fake = await StartAsync();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reached = new TaskCompletionSource<FakeCall>(TaskCreationOptions.RunContinuationsAsynchronously);
        fake.Handler = call =>
        {
            if (call.Kind != FakeCallKind.Query) return null;
            reached.TrySetResult(call);
            return FakeReply.After(gate.Task, FakeReply.Status(503, "resource_unavailable", "later"));
        };
        using var client = new FakeUpstreamClient(fake);
        var sessionId = await client.CreateSessionAsync(ChatAuth.Key(Key));

        var answer = client.QueryAsync(ChatAuth.Key(Key), sessionId, FakeUpstreamClient.QueryBody("gated"));
        var call = await reached.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(answer.IsCompleted, "the gated reply was sent before its gate completed");
        Assert.False(call.Completed.IsCompleted);
        gate.SetResult();
        using var response = await answer;

        Assert.Equal(503, (int)response.StatusCode);
        Assert.Equal(("resource_unavailable", "later"), await FakeUpstreamClient.ErrorOf(response));
    }

    [Fact]
    public async Task Enqueue_RepliesAreConsumedInOrderBeforeHandler()
    {
        await using var fake = await StartAsync();
        fake.Handler = call => call.Kind == FakeCallKind.Query ? FakeReply.Answer("from handler") : null;
        fake.Enqueue(FakeReply.Answer("first"), FakeReply.Answer("second"));
        using var client = new FakeUpstreamClient(fake);
        var sessionId = await client.CreateSessionAsync(ChatAuth.Key(Key));

        var answers = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            using var r = await client.QueryAsync(ChatAuth.Key(Key), sessionId, FakeUpstreamClient.QueryBody("q"));
            answers.Add((await FakeUpstreamClient.JsonOf(r)).GetProperty("data").GetProperty("answer").GetString()!);
        }

        Assert.Equal(["first", "second", "from handler"], answers);
    }

    [Fact]
    public async Task Handler_SeesCallDetailsAndCanFailSessionCreation()
    {
        await using var fake = await StartAsync();
        var seen = new List<FakeCall>();
        fake.Handler = call =>
        {
            lock (seen)
            {
                seen.Add(call);
            }

            return call.Kind == FakeCallKind.CreateSession && seen.Count == 1 ? FakeReply.Status(503, "resource_unavailable", "busy") : null;
        };
        using var client = new FakeUpstreamClient(fake);

        using var failed = await client.PostAsync("/chat/v1/sessions", """{"externalUserId":"ext","pluginIds":[]}""", ChatAuth.Key(Key), true);
        var sessionId = await client.CreateSessionAsync(ChatAuth.Key(Key), "ext");

        Assert.Equal(503, (int)failed.StatusCode);
        Assert.Equal(0 + 1, fake.SessionCount);
        var first = seen[0];
        Assert.Equal(FakeCallKind.CreateSession, first.Kind);
        Assert.Equal(Key, first.Credential);
        Assert.Equal(Key, first.Headers["apikey"]);
        Assert.Contains("\"externalUserId\":\"ext\"", first.Body);
        Assert.Equal(1, first.Index);
        Assert.Equal(sessionId, seen[1].SessionId);
        Assert.Equal([503, 201], fake.Calls.Select(c => c.StatusCode));
    }

    [Fact]
    public async Task Handler_AnswerForSignin_IsReportedAsScriptError()
    {
        await using var fake = await StartAsync();
        fake.AddAccount("a@example.com", "pw");
        fake.Handler = _ => FakeReply.Answer("not for signin");
        using var client = new FakeUpstreamClient(fake);

        using var response = await client.SigninResponseAsync("a@example.com", "pw");

        Assert.Equal(500, (int)response.StatusCode);
        Assert.Contains("only valid for query calls", (await FakeUpstreamClient.ErrorOf(response)).Message);
    }

    [Fact]
    public async Task Hang_ClientCancels_AbortedCompletes()
    {
        await using var fake = await StartAsync();
        var reached = new TaskCompletionSource<FakeCall>(TaskCreationOptions.RunContinuationsAsynchronously);
        fake.Handler = call =>
        {
            if (call.Kind != FakeCallKind.Query)
            {
                return null;
            }

            reached.TrySetResult(call);
            return FakeReply.Hang();
        };
        using var client = new FakeUpstreamClient(fake);
        var sessionId = await client.CreateSessionAsync(ChatAuth.Key(Key));
        using var cts = new CancellationTokenSource();

        var pending = client.QueryAsync(ChatAuth.Key(Key), sessionId, FakeUpstreamClient.QueryBody("wait"), ct: cts.Token);
        var call = await reached.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(call.Aborted.IsCompleted);
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
        await call.Aborted.WaitAsync(TimeSpan.FromSeconds(5));
        await call.Completed.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(["wait"], fake.QueriesInSession(sessionId));
    }

    [Fact]
    public async Task Completed_NormalCall_CompletesWithoutAborted()
    {
        await using var fake = await StartAsync();
        using var client = new FakeUpstreamClient(fake);
        var sessionId = await client.CreateSessionAsync(ChatAuth.Key(Key));

        using var response = await client.QueryAsync(ChatAuth.Key(Key), sessionId, FakeUpstreamClient.QueryBody("x", "stream"));
        await response.Content.ReadAsStringAsync();
        var call = fake.Calls.Single(c => c.Kind == FakeCallKind.Query);
        await call.Completed.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(200, call.StatusCode);
        Assert.False(call.Aborted.IsCompleted);
    }

    [Fact]
    public async Task Reset_ClientSeesTransportError()
    {
        await using var fake = await StartAsync();
        fake.Enqueue(FakeReply.Reset());
        using var client = new FakeUpstreamClient(fake);
        var sessionId = await client.CreateSessionAsync(ChatAuth.Key(Key));

        await Assert.ThrowsAsync<HttpRequestException>(() => client.QueryAsync(ChatAuth.Key(Key), sessionId, FakeUpstreamClient.QueryBody("x")));

        var call = fake.Calls.Single(c => c.Kind == FakeCallKind.Query);
        await call.Completed.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(0, call.StatusCode);
        Assert.False(call.Aborted.IsCompleted); // the fake cut it, not the client
    }

    [Fact]
    public async Task SyncQuery_WithScriptedStream_JoinsDeltasAndCarriesMetrics()
    {
        await using var fake = await StartAsync();
        fake.Enqueue(FakeReply.Stream(FakeStreamStep.Delta("Hel"), FakeStreamStep.Heartbeat(), FakeStreamStep.Delta("lo"), FakeStreamStep.Metrics(7, 2), FakeStreamStep.Done()));
        using var client = new FakeUpstreamClient(fake);
        var sessionId = await client.CreateSessionAsync(ChatAuth.Key(Key));

        using var response = await client.QueryAsync(ChatAuth.Key(Key), sessionId, FakeUpstreamClient.QueryBody("x"));

        var data = (await FakeUpstreamClient.JsonOf(response)).GetProperty("data");
        Assert.Equal("Hello", data.GetProperty("answer").GetString());
        Assert.Equal(7, data.GetProperty("metrics").GetProperty("inputTokens").GetInt32());
        Assert.Equal(2, data.GetProperty("metrics").GetProperty("outputTokens").GetInt32());
    }

    [Fact]
    public async Task SyncQuery_WithScriptedStreamError_ReturnsMatchingHttpError()
    {
        await using var fake = await StartAsync();
        fake.Enqueue(FakeReply.Stream(FakeStreamStep.Error("Model context length exceeded", "context_length_exceeded")));
        using var client = new FakeUpstreamClient(fake);
        var sessionId = await client.CreateSessionAsync(ChatAuth.Key(Key));

        using var response = await client.QueryAsync(ChatAuth.Key(Key), sessionId, FakeUpstreamClient.QueryBody("x"));

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal("context_length_exceeded", (await FakeUpstreamClient.ErrorOf(response)).Code);
    }

    [Fact]
    public async Task SyncQuery_AnswerWithMetrics_ReturnsDataMetrics()
    {
        await using var fake = await StartAsync();
        fake.Enqueue(FakeReply.Answer("Scripted", (11, 3)));
        using var client = new FakeUpstreamClient(fake);
        var sessionId = await client.CreateSessionAsync(ChatAuth.Key(Key));

        using var response = await client.QueryAsync(ChatAuth.Key(Key), sessionId, FakeUpstreamClient.QueryBody("x"));

        var data = (await FakeUpstreamClient.JsonOf(response)).GetProperty("data");
        Assert.Equal("Scripted", data.GetProperty("answer").GetString());
        Assert.Equal(11, data.GetProperty("metrics").GetProperty("inputTokens").GetInt32());
        Assert.Equal(3, data.GetProperty("metrics").GetProperty("outputTokens").GetInt32());
    }

    [Fact]
    public async Task DisposeAsync_WithHangingCall_StopsPromptlyAndDropsTheConnection()
    {
        var fake = await StartAsync();
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        fake.Handler = call =>
        {
            if (call.Kind != FakeCallKind.Query)
            {
                return null;
            }

            reached.TrySetResult();
            return FakeReply.Hang();
        };
        using var client = new FakeUpstreamClient(fake);
        var sessionId = await client.CreateSessionAsync(ChatAuth.Key(Key));
        var pending = client.QueryAsync(ChatAuth.Key(Key), sessionId, FakeUpstreamClient.QueryBody("x"));
        await reached.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var stopwatch = Stopwatch.StartNew();
        await fake.DisposeAsync();

        // Promptly: without waiting for the host's 5 s shutdown timeout on the hanging call (the margin is for a
        // loaded machine).
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(4.5), $"dispose took {stopwatch.Elapsed}");
        await Assert.ThrowsAsync<HttpRequestException>(() => pending);
    }

    [Fact]
    public async Task RecordCallsOff_KeepsCountersButNoCallsOrHistory()
    {
        await using var fake = await FakeOnDemandServer.StartAsync(new FakeOnDemandOptions { Quiet = true, RecordCalls = false });
        fake.AddApiKey(Key);
        using var client = new FakeUpstreamClient(fake);
        var sessionId = await client.CreateSessionAsync(ChatAuth.Key(Key));

        using var response = await client.QueryAsync(ChatAuth.Key(Key), sessionId, FakeUpstreamClient.QueryBody("hello"));

        Assert.Equal("Fake answer to: hello", (await FakeUpstreamClient.JsonOf(response)).GetProperty("data").GetProperty("answer").GetString());
        Assert.Empty(fake.Calls);
        Assert.Empty(fake.QueriesInSession(sessionId));
        Assert.Equal(2, fake.CallCount);
        Assert.Equal(1, fake.QueryCount);
    }

    private static async Task<FakeOnDemandServer> StartAsync()
    {
        var fake = await FakeOnDemandServer.StartAsync(new FakeOnDemandOptions { Quiet = true });
        fake.AddApiKey(Key);
        return fake;
    }
}
