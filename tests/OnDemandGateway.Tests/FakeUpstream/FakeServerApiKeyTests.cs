using OnDemandGateway.FakeUpstream;

namespace OnDemandGateway.Tests.FakeUpstream;

/// <summary>API-key credentials, session creation and the query contract (validation, 404, history).</summary>
public sealed class FakeServerApiKeyTests
{
    private const string Key = "key-alpha";

    [Fact]
    public async Task CreateSession_ValidKey_Returns201WithDataIdAndNoSessionId()
    {
        await using var fake = await StartAsync();
        using var client = new FakeUpstreamClient(fake);

        using var response = await client.PostAsync("/chat/v1/sessions", """{"externalUserId":"ext-7","pluginIds":[]}""", ChatAuth.Key(Key), true);

        Assert.Equal(201, (int)response.StatusCode);
        var data = (await FakeUpstreamClient.JsonOf(response)).GetProperty("data");
        Assert.NotEmpty(data.GetProperty("id").GetString()!);
        Assert.False(data.TryGetProperty("sessionId", out _));
        Assert.Equal("ext-7", data.GetProperty("externalUserId").GetString());
        Assert.Equal(0, data.GetProperty("pluginIds").GetArrayLength());
    }

    [Fact]
    public async Task CreateSession_SessionCreatedStatus200_Returns200()
    {
        await using var fake = await StartAsync(new FakeOnDemandOptions { Quiet = true, SessionCreatedStatus = 200 });
        using var client = new FakeUpstreamClient(fake);

        using var response = await client.PostAsync("/chat/v1/sessions", """{"externalUserId":"e","pluginIds":[]}""", ChatAuth.Key(Key), true);

        Assert.Equal(200, (int)response.StatusCode);
    }

    [Theory]
    [InlineData("""{"pluginIds":[]}""")]
    [InlineData("""{"externalUserId":"","pluginIds":[]}""")]
    [InlineData("""{"externalUserId":42}""")]
    public async Task CreateSession_MissingOrEmptyExternalUserId_Returns400(string body)
    {
        await using var fake = await StartAsync();
        using var client = new FakeUpstreamClient(fake);

        using var response = await client.PostAsync("/chat/v1/sessions", body, ChatAuth.Key(Key), true);

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal("invalid_request", (await FakeUpstreamClient.ErrorOf(response)).Code);
        Assert.Equal(0, fake.SessionCount);
    }

    [Fact]
    public async Task CreateSession_UnknownKey_Returns401()
    {
        await using var fake = await StartAsync();
        using var client = new FakeUpstreamClient(fake);

        using var response = await client.PostAsync("/chat/v1/sessions", """{"externalUserId":"e"}""", ChatAuth.Key("key-unknown"), true);

        Assert.Equal(401, (int)response.StatusCode);
        Assert.Equal("unauthenticated", (await FakeUpstreamClient.ErrorOf(response)).Code);
    }

    [Fact]
    public async Task Query_Sync_ReturnsDeterministicAnswerAtDataAnswer()
    {
        await using var fake = await StartAsync();
        using var client = new FakeUpstreamClient(fake);
        var sessionId = await client.CreateSessionAsync(ChatAuth.Key(Key));
        var query = new string('q', 100);

        using var response = await client.QueryAsync(ChatAuth.Key(Key), sessionId, FakeUpstreamClient.QueryBody(query));

        var json = await FakeUpstreamClient.JsonOf(response);
        Assert.Equal("Chat query submitted successfully", json.GetProperty("message").GetString());
        var data = json.GetProperty("data");
        Assert.Equal("Fake answer to: " + new string('q', 60), data.GetProperty("answer").GetString());
        Assert.Equal("completed", data.GetProperty("status").GetString());
        Assert.Equal(sessionId, data.GetProperty("sessionId").GetString());
        Assert.NotEmpty(data.GetProperty("messageId").GetString()!);
        Assert.False(data.TryGetProperty("metrics", out _));
        Assert.False(json.TryGetProperty("answer", out _));
    }

    [Fact]
    public async Task Query_Webhook_AcceptedWithoutAnswer()
    {
        await using var fake = await StartAsync();
        using var client = new FakeUpstreamClient(fake);
        var sessionId = await client.CreateSessionAsync(ChatAuth.Key(Key));

        using var response = await client.QueryAsync(ChatAuth.Key(Key), sessionId, FakeUpstreamClient.QueryBody("later", "webhook"));

        Assert.Equal(200, (int)response.StatusCode);
        var data = (await FakeUpstreamClient.JsonOf(response)).GetProperty("data");
        Assert.Equal("processing", data.GetProperty("status").GetString());
        Assert.False(data.TryGetProperty("answer", out _));
    }

    [Theory]
    [InlineData("""{"query":"hi","endpointId":"e","pluginIds":[],"responseMode":"streaming"}""", "responseMode")]
    [InlineData("""{"endpointId":"e","responseMode":"sync"}""", "query")]
    [InlineData("""{"query":"","endpointId":"e","responseMode":"sync"}""", "query")]
    [InlineData("""{"query":"hi","endpointId":"","responseMode":"sync"}""", "endpointId")]
    [InlineData("""{"query":"hi","endpointId":"e"}""", "responseMode")]
    [InlineData("""{"query":"hi","endpointId":"e","responseMode":"sync","modelConfigs":{"stopSequences":["a","b","c","d","e"]}}""", "stopSequences")]
    [InlineData("""{"query":"hi","endpointId":"e","responseMode":"sync","modelConfigs":{"stopSequences":"a"}}""", "stopSequences")]
    [InlineData("""{"query":"hi","endpointId":"e","responseMode":"sync","modelConfigs":{"temperature":2.5}}""", "temperature")]
    [InlineData("""{"query":"hi","endpointId":"e","responseMode":"sync","modelConfigs":{"temperature":null}}""", "temperature")]
    [InlineData("""{"query":"hi","endpointId":"e","responseMode":"sync","modelConfigs":{"topP":"1"}}""", "topP")]
    [InlineData("""{"query":"hi","endpointId":"e","responseMode":"sync","modelConfigs":{"maxTokens":1.5}}""", "maxTokens")]
    [InlineData("""{"query":"hi","endpointId":"e","responseMode":"sync","modelConfigs":null}""", "modelConfigs")]
    [InlineData("""not json""", "JSON")]
    public async Task Query_InvalidBody_Returns400InvalidRequestNamingTheField(string body, string field)
    {
        await using var fake = await StartAsync();
        using var client = new FakeUpstreamClient(fake);
        var sessionId = await client.CreateSessionAsync(ChatAuth.Key(Key));

        using var response = await client.QueryAsync(ChatAuth.Key(Key), sessionId, body);

        Assert.Equal(400, (int)response.StatusCode);
        var (code, message) = await FakeUpstreamClient.ErrorOf(response);
        Assert.Equal("invalid_request", code);
        Assert.Contains(field, message);
        Assert.Empty(fake.QueriesInSession(sessionId));
    }

    [Fact]
    public async Task Query_AllDocumentedModelConfigs_AcceptedAndExposedOnCall()
    {
        await using var fake = await StartAsync();
        using var client = new FakeUpstreamClient(fake);
        var sessionId = await client.CreateSessionAsync(ChatAuth.Key(Key));
        const string configs = """{"fulfillmentPrompt":"Be brief.","temperature":0.7,"topP":1,"presencePenalty":0,"frequencyPenalty":2,"stopSequences":["x","y","z","w"],"maxTokens":512}""";

        using var response = await client.QueryAsync(ChatAuth.Key(Key), sessionId, FakeUpstreamClient.QueryBody("hi", "sync", configs));

        Assert.Equal(200, (int)response.StatusCode);
        var call = fake.Calls.Single(c => c.Kind == FakeCallKind.Query);
        Assert.Equal("Be brief.", call.ModelConfigs!.Value.GetProperty("fulfillmentPrompt").GetString());
        Assert.Equal(512, call.ModelConfigs.Value.GetProperty("maxTokens").GetInt32());
        Assert.Equal("predefined-openai-gpt4o", call.EndpointId);
        Assert.Equal("sync", call.ResponseMode);
        Assert.Equal("hi", call.Query);
        Assert.Equal(Key, call.Headers["APIKEY"]);
    }

    [Fact]
    public async Task Query_UnknownSession_Returns404NotFound()
    {
        await using var fake = await StartAsync();
        using var client = new FakeUpstreamClient(fake);

        using var response = await client.QueryAsync(ChatAuth.Key(Key), "sess-does-not-exist", FakeUpstreamClient.QueryBody("hi"));

        Assert.Equal(404, (int)response.StatusCode);
        Assert.Equal("not_found", (await FakeUpstreamClient.ErrorOf(response)).Code);
    }

    [Fact]
    public async Task Query_SessionOfAnotherKey_Returns404()
    {
        await using var fake = await StartAsync();
        fake.AddApiKey("key-beta");
        using var client = new FakeUpstreamClient(fake);
        var sessionId = await client.CreateSessionAsync(ChatAuth.Key(Key));

        using var response = await client.QueryAsync(ChatAuth.Key("key-beta"), sessionId, FakeUpstreamClient.QueryBody("hi"));

        Assert.Equal(404, (int)response.StatusCode);
    }

    [Fact]
    public async Task QueriesInSession_TwoSessions_KeepSeparateHistoriesInOrder()
    {
        await using var fake = await StartAsync();
        using var client = new FakeUpstreamClient(fake);
        var first = await client.CreateSessionAsync(ChatAuth.Key(Key), "alice");
        var second = await client.CreateSessionAsync(ChatAuth.Key(Key), "bob");

        foreach (var (session, query) in new[] { (first, "a1"), (second, "b1"), (first, "a2") })
        {
            using var r = await client.QueryAsync(ChatAuth.Key(Key), session, FakeUpstreamClient.QueryBody(query));
            Assert.Equal(200, (int)r.StatusCode);
        }

        Assert.Equal(["a1", "a2"], fake.QueriesInSession(first));
        Assert.Equal(["b1"], fake.QueriesInSession(second));
        Assert.Empty(fake.QueriesInSession("sess-unknown"));
    }

    [Fact]
    public async Task UnknownPath_Returns404NotFound()
    {
        await using var fake = await StartAsync();
        using var client = new FakeUpstreamClient(fake);

        using var response = await client.PostAsync("/chat/v2/sessions", "{}", ChatAuth.Key(Key));

        Assert.Equal(404, (int)response.StatusCode);
        Assert.Equal("not_found", (await FakeUpstreamClient.ErrorOf(response)).Code);
    }

    private static async Task<FakeOnDemandServer> StartAsync(FakeOnDemandOptions? options = null)
    {
        var fake = await FakeOnDemandServer.StartAsync(options ?? new FakeOnDemandOptions { Quiet = true });
        fake.AddApiKey(Key);
        return fake;
    }
}
