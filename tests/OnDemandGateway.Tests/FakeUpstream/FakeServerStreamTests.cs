using OnDemandGateway.FakeUpstream;

namespace OnDemandGateway.Tests.FakeUpstream;

/// <summary>The SSE stream: frame format, heartbeats, thinking/unknown frames, metrics, [DONE], [ERROR], truncation.</summary>
public sealed class FakeServerStreamTests
{
    private const string Key = "key-stream";

    [Fact]
    public async Task Stream_DefaultAnswer_FramesFollowSpecFormat()
    {
        await using var fake = await StartAsync();
        using var client = new FakeUpstreamClient(fake);
        var sessionId = await client.CreateSessionAsync(ChatAuth.Key(Key));
        const string query = "Tell me about streams, please";

        using var response = await client.QueryAsync(ChatAuth.Key(Key), sessionId, FakeUpstreamClient.QueryBody(query, "stream"));
        var raw = await response.Content.ReadAsStringAsync();
        var frames = SseFrame.ParseAll(raw);

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        Assert.DoesNotContain("event: ", raw);
        Assert.DoesNotContain("data: ", raw);
        Assert.EndsWith("event:message\ndata:[DONE]\n\n", raw);
        Assert.Equal("statusLog", frames[0].EventType);
        Assert.StartsWith("{\"sessionId\":\"", frames[0].Data); // compact, unlike fulfillment frames
        Assert.Contains("\"eventType\":\"statusLog\"", frames[0].Data);
        var deltas = frames.Where(f => f.EventType == "fulfillment").ToList();
        Assert.Equal(8, deltas.Count);
        Assert.All(deltas, d => Assert.Matches("""^\{"sessionId": ".+", "messageId": ".+", "answer": ".*", "status": "processing", "eventIndex": \d+, "eventType": "fulfillment"\}$""", d.Data));
        Assert.Equal("Fake answer to: " + query, FakeUpstreamClient.AnswerOf(frames));
        var indexes = frames.Where(f => f.EventType is not null).Select(f => f.Json.GetProperty("eventIndex").GetInt32()).ToList();
        Assert.Equal(Enumerable.Range(1, indexes.Count), indexes);
        var metrics = frames[^2];
        Assert.Equal("metricsLog", metrics.EventType);
        var pm = metrics.Json.GetProperty("publicMetrics");
        Assert.Equal((query.Length + 3) / 4, pm.GetProperty("inputTokens").GetInt32());
        Assert.Equal(8, pm.GetProperty("outputTokens").GetInt32());
        Assert.Equal(pm.GetProperty("inputTokens").GetInt32() + 8, pm.GetProperty("totalTokens").GetInt32());
        Assert.All(frames, f => Assert.Equal("message", f.Event));
    }

    [Theory]
    [InlineData("stream")]
    [InlineData("sync")]
    public async Task Query_WithMaxTokens_AnswerStopsAtThatManyPieces(string mode)
    {
        await using var fake = await StartAsync();
        using var client = new FakeUpstreamClient(fake);
        var sessionId = await client.CreateSessionAsync(ChatAuth.Key(Key));
        const string query = "Tell me about limits, please";
        var body = """{"query":"Tell me about limits, please","endpointId":"e","responseMode":"MODE","modelConfigs":{"maxTokens":3}}""".Replace("MODE", mode);

        using var response = await client.QueryAsync(ChatAuth.Key(Key), sessionId, body);
        var raw = await response.Content.ReadAsStringAsync();

        var full = "Fake answer to: " + query;
        var threePieces = full[..(full.Length * 3 / 8)];   // the default answer in 8 pieces, the first 3 of them
        if (mode == "sync")
        {
            using var json = System.Text.Json.JsonDocument.Parse(raw);
            Assert.Equal(threePieces, json.RootElement.GetProperty("data").GetProperty("answer").GetString());
            return;
        }
        var frames = SseFrame.ParseAll(raw);
        Assert.Equal(3, frames.Count(f => f.EventType == "fulfillment"));
        Assert.Equal(threePieces, FakeUpstreamClient.AnswerOf(frames));
        Assert.Equal(3, frames[^2].Json.GetProperty("publicMetrics").GetProperty("outputTokens").GetInt32());
        Assert.EndsWith("data:[DONE]\n\n", raw);
    }

    [Fact]
    public async Task Stream_NonAsciiAnswer_SurvivesJsonEscapingAndSplitting()
    {
        await using var fake = await StartAsync();
        fake.Enqueue(FakeReply.Answer("Grüße 👋 \"quoted\" <tag> \\ done", (5, 9)));
        using var client = new FakeUpstreamClient(fake);
        var sessionId = await client.CreateSessionAsync(ChatAuth.Key(Key));

        using var response = await client.QueryAsync(ChatAuth.Key(Key), sessionId, FakeUpstreamClient.QueryBody("x", "stream"));
        var frames = SseFrame.ParseAll(await response.Content.ReadAsStringAsync());

        Assert.Equal("Grüße 👋 \"quoted\" <tag> \\ done", FakeUpstreamClient.AnswerOf(frames));
        Assert.Equal(5, frames[^2].Json.GetProperty("publicMetrics").GetProperty("inputTokens").GetInt32());
        Assert.Equal(9, frames[^2].Json.GetProperty("publicMetrics").GetProperty("outputTokens").GetInt32());
    }

    [Fact]
    public async Task Stream_DelayLongerThanHeartbeatInterval_SendsHeartbeatFrames()
    {
        await using var fake = await StartAsync(new FakeOnDemandOptions { Quiet = true, HeartbeatInterval = TimeSpan.FromMilliseconds(20) });
        fake.Enqueue(FakeReply.Stream(
            FakeStreamStep.StatusLog("analyzing"),
            FakeStreamStep.Delay(TimeSpan.FromMilliseconds(70)),
            FakeStreamStep.Delta("late"),
            FakeStreamStep.Metrics(1, 1),
            FakeStreamStep.Done()));
        using var client = new FakeUpstreamClient(fake);
        var sessionId = await client.CreateSessionAsync(ChatAuth.Key(Key));

        using var response = await client.QueryAsync(ChatAuth.Key(Key), sessionId, FakeUpstreamClient.QueryBody("x", "stream"));
        var frames = SseFrame.ParseAll(await response.Content.ReadAsStringAsync());

        Assert.Equal(["message", "heartbeat", "heartbeat", "heartbeat", "message", "message", "message"], frames.Select(f => f.Event));
        var heartbeat = frames[1].Json;
        Assert.Equal(sessionId, heartbeat.GetProperty("sessionId").GetString());
        Assert.True(heartbeat.TryGetProperty("messageId", out _));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", heartbeat.GetProperty("time").GetString());
        Assert.False(heartbeat.TryGetProperty("eventType", out _));
        Assert.Equal("late", FakeUpstreamClient.AnswerOf(frames));
    }

    [Fact]
    public async Task Stream_DeltaDelay_PacesDefaultAnswerWithHeartbeats()
    {
        var options = new FakeOnDemandOptions
        {
            Quiet = true,
            StreamDeltas = 2,
            DeltaDelay = TimeSpan.FromMilliseconds(30),
            HeartbeatInterval = TimeSpan.FromMilliseconds(10),
        };
        await using var fake = await StartAsync(options);
        using var client = new FakeUpstreamClient(fake);
        var sessionId = await client.CreateSessionAsync(ChatAuth.Key(Key));

        var started = System.Diagnostics.Stopwatch.StartNew();
        using var response = await client.QueryAsync(ChatAuth.Key(Key), sessionId, FakeUpstreamClient.QueryBody("pace", "stream"));
        var frames = SseFrame.ParseAll(await response.Content.ReadAsStringAsync());

        Assert.True(started.Elapsed >= TimeSpan.FromMilliseconds(55), $"took {started.Elapsed}");
        Assert.Equal(4, frames.Count(f => f.Event == "heartbeat")); // two per 30 ms wait at a 10 ms interval
        Assert.Equal(2, frames.Count(f => f.EventType == "fulfillment"));
    }

    [Fact]
    public async Task Stream_ThinkingAndUnknownEvents_AreSeparateFromTheAnswer()
    {
        await using var fake = await StartAsync();
        fake.Enqueue(FakeReply.Stream(
            FakeStreamStep.Thinking("pondering"),
            FakeStreamStep.UnknownEvent(),
            FakeStreamStep.Heartbeat(),
            FakeStreamStep.Delta("answer"),
            FakeStreamStep.Done()));
        using var client = new FakeUpstreamClient(fake);
        var sessionId = await client.CreateSessionAsync(ChatAuth.Key(Key));

        using var response = await client.QueryAsync(ChatAuth.Key(Key), sessionId, FakeUpstreamClient.QueryBody("x", "stream"));
        var frames = SseFrame.ParseAll(await response.Content.ReadAsStringAsync());

        Assert.Equal("thinking", frames[0].Event);
        Assert.EndsWith("_thinking", frames[0].EventType);
        Assert.Equal("pondering", frames[0].Json.GetProperty("thinking").GetProperty("delta").GetString());
        Assert.Equal("message", frames[1].Event);
        Assert.NotNull(frames[1].EventType);
        Assert.NotEqual("fulfillment", frames[1].EventType);
        Assert.Equal("heartbeat", frames[2].Event);
        Assert.Equal("answer", FakeUpstreamClient.AnswerOf(frames));
        Assert.Equal("[DONE]", frames[^1].Data);
    }

    [Fact]
    public async Task Stream_ErrorStep_WritesErrorFrameWithoutDoneAndCloses()
    {
        await using var fake = await StartAsync();
        fake.Enqueue(FakeReply.Stream(
            FakeStreamStep.Delta("partial"),
            FakeStreamStep.Error("Model context length exceeded", "context_length_exceeded"),
            FakeStreamStep.Done()));
        using var client = new FakeUpstreamClient(fake);
        var sessionId = await client.CreateSessionAsync(ChatAuth.Key(Key));

        using var response = await client.QueryAsync(ChatAuth.Key(Key), sessionId, FakeUpstreamClient.QueryBody("x", "stream"));
        var raw = await response.Content.ReadAsStringAsync();

        Assert.Equal(200, (int)response.StatusCode);
        Assert.EndsWith("data:[ERROR]:{\"message\":\"Model context length exceeded\",\"errorCode\":\"context_length_exceeded\"}\n\n", raw);
        Assert.DoesNotContain("[DONE]", raw);
    }

    [Fact]
    public async Task Stream_CloseStep_EndsCleanlyWithoutDone()
    {
        await using var fake = await StartAsync();
        fake.Enqueue(FakeReply.Stream(FakeStreamStep.Delta("cut "), FakeStreamStep.Delta("off"), FakeStreamStep.Close()));
        using var client = new FakeUpstreamClient(fake);
        var sessionId = await client.CreateSessionAsync(ChatAuth.Key(Key));

        using var response = await client.QueryAsync(ChatAuth.Key(Key), sessionId, FakeUpstreamClient.QueryBody("x", "stream"));
        var frames = SseFrame.ParseAll(await response.Content.ReadAsStringAsync());

        Assert.Equal("cut off", FakeUpstreamClient.AnswerOf(frames));
        Assert.DoesNotContain(frames, f => f.Data is "[DONE]" || f.Data.StartsWith("[ERROR]", StringComparison.Ordinal));
        var call = fake.Calls.Single(c => c.Kind == FakeCallKind.Query);
        await call.Completed.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(call.Aborted.IsCompleted);
    }

    [Fact]
    public async Task Stream_AbortStep_ClientSeesTransportErrorMidStream()
    {
        await using var fake = await StartAsync();
        fake.Enqueue(FakeReply.Stream(FakeStreamStep.Delta("half"), FakeStreamStep.Abort()));
        using var client = new FakeUpstreamClient(fake);
        var sessionId = await client.CreateSessionAsync(ChatAuth.Key(Key));

        using var response = await client.QueryAsync(ChatAuth.Key(Key), sessionId, FakeUpstreamClient.QueryBody("x", "stream"), HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(200, (int)response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.Equal("event:message", await reader.ReadLineAsync());
        Assert.Contains("half", await reader.ReadLineAsync());
        await Assert.ThrowsAnyAsync<IOException>(() => reader.ReadToEndAsync());
    }

    [Fact]
    public async Task Stream_FirstFrame_IsFlushedBeforeTheStreamEnds()
    {
        await using var fake = await StartAsync();
        fake.Enqueue(FakeReply.Stream(FakeStreamStep.StatusLog("fulfilling"), FakeStreamStep.HangForever()));
        using var client = new FakeUpstreamClient(fake);
        var sessionId = await client.CreateSessionAsync(ChatAuth.Key(Key));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));

        using var response = await client.QueryAsync(ChatAuth.Key(Key), sessionId, FakeUpstreamClient.QueryBody("x", "stream"), HttpCompletionOption.ResponseHeadersRead, cts.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
        var first = await reader.ReadLineAsync(cts.Token);
        var second = await reader.ReadLineAsync(cts.Token);

        Assert.Equal("event:message", first);
        Assert.StartsWith("data:{", second);
        Assert.Contains("\"statusLog\"", second);
    }

    [Fact]
    public async Task Stream_AnswerText_SplitsThatTextIntoTheConfiguredDeltas()
    {
        var text = new string('x', 1000);
        await using var fake = await StartAsync(new FakeOnDemandOptions { Quiet = true, AnswerText = text, StreamDeltas = 500 });
        using var client = new FakeUpstreamClient(fake);
        var sessionId = await client.CreateSessionAsync(ChatAuth.Key(Key));

        using var response = await client.QueryAsync(ChatAuth.Key(Key), sessionId, FakeUpstreamClient.QueryBody("hi", "stream"));
        var frames = SseFrame.ParseAll(await response.Content.ReadAsStringAsync());

        Assert.Equal(500, frames.Count(f => f.EventType == "fulfillment"));
        Assert.Equal(text, FakeUpstreamClient.AnswerOf(frames));
    }

    private static async Task<FakeOnDemandServer> StartAsync(FakeOnDemandOptions? options = null)
    {
        var fake = await FakeOnDemandServer.StartAsync(options ?? new FakeOnDemandOptions { Quiet = true });
        fake.AddApiKey(Key);
        return fake;
    }
}
