using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OnDemandGateway.FakeUpstream;
using OnDemandGateway.Tests.TestSupport;
using OpenAI.Chat;

namespace OnDemandGateway.Tests.Relay;

/// <summary>End to end over loopback: the official OpenAI SDK → gateway → fake on-demand.io.</summary>
public sealed class ChatCompletionsTests
{
    [Fact]
    public async Task NonStream_WithOpenAiSdk_ReturnsUpstreamAnswerAndSendsQueryVerbatim()
    {
        await using var host = await GatewayHost.StartAsync();
        host.Upstream.Enqueue(FakeReply.Answer("Paris is the capital of France."));

        var completion = (await host.ChatClient("gpt-4o").CompleteChatAsync([new UserChatMessage("What is the capital of France?")])).Value;

        Assert.Equal("Paris is the capital of France.", completion.Content[0].Text);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.Equal("gpt-4o", completion.Model);
        Assert.StartsWith("chatcmpl-", completion.Id);
        Assert.True(completion.Usage.InputTokenCount > 0);
        Assert.True(completion.Usage.OutputTokenCount > 0);
        Assert.Equal(completion.Usage.InputTokenCount + completion.Usage.OutputTokenCount, completion.Usage.TotalTokenCount);

        var query = Assert.Single(host.Upstream.Calls, c => c.Kind == FakeCallKind.Query);
        Assert.Equal("What is the capital of France?", query.Query);
        Assert.Equal("predefined-openai-gpt4o", query.EndpointId);
        Assert.Equal("sync", query.ResponseMode);
        Assert.Contains(query.Credential, GatewayHost.ApiKeys);
        Assert.Null(query.ModelConfigs);
    }

    [Fact]
    public async Task NonStream_SyncMetrics_AreTheUsageReturned()
    {
        await using var host = await GatewayHost.StartAsync();
        host.Upstream.Enqueue(FakeReply.Answer("ok", (123, 45)));
        var response = await host.Http.PostAsJsonAsync("/v1/chat/completions", new { model = "gpt-4o", messages = new[] { new { role = "user", content = "hi" } } });
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var usage = body.RootElement.GetProperty("usage");
        Assert.Equal(123, usage.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(45, usage.GetProperty("completion_tokens").GetInt32());
        Assert.Equal(168, usage.GetProperty("total_tokens").GetInt32());
        Assert.Equal("predefined-openai-gpt4o", response.Headers.GetValues("x-ondemand-endpoint-id").Single());
    }

    [Theory]
    [InlineData(5, "length")]
    [InlineData(6, "stop")]
    public async Task NonStream_AnswerReachingMaxTokens_FinishesWithLength(int maxTokens, string finish)
    {
        await using var host = await GatewayHost.StartAsync();
        host.Upstream.Enqueue(FakeReply.Answer("one two three four five", (10, 5)));

        var response = await host.Http.PostAsJsonAsync("/v1/chat/completions", new { model = "gpt-4o", max_tokens = maxTokens, messages = new[] { new { role = "user", content = "count" } } });
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(finish, body.RootElement.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(maxTokens, Assert.Single(host.Upstream.Calls, c => c.Kind == FakeCallKind.Query).ModelConfigs!.Value.GetProperty("maxTokens").GetInt32());
    }

    [Theory]
    [InlineData("gpt-4o", "length")]              // the gateway's count is OpenAI's own tokenizer: it knows
    [InlineData("claude-4-sonnet", "stop")]       // an o200k estimate of another model's answer decides nothing
    public async Task NonStream_NoUpstreamCount_LengthOnlyWhereTheGatewaysCountIsTheModels(string model, string finish)
    {
        await using var host = await GatewayHost.StartAsync();
        // A sync answer without metrics (scripted steps go out as written, whatever the maxTokens).
        host.Upstream.Enqueue(FakeReply.Stream(FakeStreamStep.Delta("one two three four five"), FakeStreamStep.Done()));

        var response = await host.Http.PostAsJsonAsync("/v1/chat/completions", new { model, max_tokens = 3, messages = new[] { new { role = "user", content = "count" } } });
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.True(body.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32() >= 3);
        Assert.Equal(finish, body.RootElement.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task Stream_WithOpenAiSdk_AnswerCutByMaxTokens_FinishesWithLength_WholeAnswerWithStop()
    {
        await using var host = await GatewayHost.StartAsync();
        host.Upstream.Enqueue(FakeReply.Answer("one two three four five six seven eight"));
        host.Upstream.Enqueue(FakeReply.Answer("one two three four five six seven eight"));

        async Task<(string Text, ChatFinishReason? Finish, int Output)> AskAsync(int maxTokens)
        {
            var text = new StringBuilder();
            ChatFinishReason? finish = null;
            var output = -1;
            var options = new ChatCompletionOptions { MaxOutputTokenCount = maxTokens };
            await foreach (var update in host.ChatClient().CompleteChatStreamingAsync([new UserChatMessage("count")], options))
            {
                foreach (var part in update.ContentUpdate) text.Append(part.Text);
                finish ??= update.FinishReason;
                if (update.Usage is { } usage) output = usage.OutputTokenCount;
            }
            return (text.ToString(), finish, output);
        }

        var cut = await AskAsync(3);      // the fake stops after 3 of its 8 pieces and reports 3 output tokens
        var whole = await AskAsync(100);

        Assert.Equal(ChatFinishReason.Length, cut.Finish);
        Assert.Equal(3, cut.Output);
        Assert.True(cut.Text.Length < whole.Text.Length);
        Assert.Equal(ChatFinishReason.Stop, whole.Finish);
        Assert.Equal("one two three four five six seven eight", whole.Text);
    }

    [Fact]
    public async Task Stream_WithOpenAiSdk_DeliversDeltasInOrderAndUsage()
    {
        await using var host = await GatewayHost.StartAsync();
        host.Upstream.Enqueue(FakeReply.Stream(
            FakeStreamStep.StatusLog("fulfilling"), FakeStreamStep.Delta("Hel"), FakeStreamStep.Thinking("secret thoughts"),
            FakeStreamStep.Heartbeat(), FakeStreamStep.Delta("lo, "), FakeStreamStep.UnknownEvent(), FakeStreamStep.Delta("world"),
            FakeStreamStep.Metrics(12, 3), FakeStreamStep.Done()));

        var text = new StringBuilder();
        ChatFinishReason? finish = null;
        ChatTokenUsage? usage = null;
        var options = new ChatCompletionOptions();
        await foreach (var update in host.ChatClient().CompleteChatStreamingAsync([new UserChatMessage("greet")], options))
        {
            foreach (var part in update.ContentUpdate) text.Append(part.Text);
            finish ??= update.FinishReason;
            usage ??= update.Usage;
        }

        Assert.Equal("Hello, world", text.ToString());
        Assert.Equal(ChatFinishReason.Stop, finish);
        Assert.NotNull(usage);
        Assert.Equal(12, usage!.InputTokenCount);
        Assert.Equal(3, usage.OutputTokenCount);
        Assert.Equal("stream", Assert.Single(host.Upstream.Calls, c => c.Kind == FakeCallKind.Query).ResponseMode);
    }

    [Fact]
    public async Task Stream_RawWire_RoleFirstThenContentFinishUsageDone_HeartbeatAsComment()
    {
        await using var host = await GatewayHost.StartAsync();
        host.Upstream.Enqueue(FakeReply.Stream(FakeStreamStep.Delta("A"), FakeStreamStep.Heartbeat(), FakeStreamStep.Delta("B"), FakeStreamStep.Metrics(5, 2), FakeStreamStep.Done()));

        using var response = await PostStream(host, new { model = "gpt-4o", stream = true, stream_options = new { include_usage = true }, messages = new[] { new { role = "user", content = "x" } } });
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        var (data, comments) = await SseReader.ReadAllAsync(response);

        Assert.Equal("[DONE]", data[^1]);
        var chunks = data.Take(data.Count - 1).Select(d => JsonDocument.Parse(d).RootElement).ToList();
        Assert.Equal("assistant", chunks[0].GetProperty("choices")[0].GetProperty("delta").GetProperty("role").GetString());
        Assert.Equal(["A", "B"], chunks.Skip(1).Take(2).Select(c => c.GetProperty("choices")[0].GetProperty("delta").GetProperty("content").GetString()));
        Assert.Equal("stop", chunks[3].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(0, chunks[4].GetProperty("choices").GetArrayLength());
        Assert.Equal(7, chunks[4].GetProperty("usage").GetProperty("total_tokens").GetInt32());
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", c.GetProperty("object").GetString()));
        Assert.Single(chunks.Select(c => c.GetProperty("id").GetString()).Distinct());
        Assert.NotEmpty(comments);
    }

    [Fact]
    public async Task Stream_ErrorFrameMidStream_IsAnErrorEventNotASuccess()
    {
        await using var host = await GatewayHost.StartAsync();
        host.Upstream.Enqueue(FakeReply.Stream(FakeStreamStep.Delta("par"), FakeStreamStep.Error("Model context length exceeded", "context_length_exceeded")));

        using var response = await PostStream(host, new { model = "gpt-4o", stream = true, messages = new[] { new { role = "user", content = "x" } } });
        var (data, _) = await SseReader.ReadAllAsync(response);

        Assert.DoesNotContain("[DONE]", data);
        Assert.DoesNotContain(data, d => d.Contains("\"finish_reason\":\"stop\""));
        var error = JsonDocument.Parse(data[^1]).RootElement.GetProperty("error");
        Assert.Equal("context_length_exceeded", error.GetProperty("code").GetString());
        Assert.Contains("context length", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Stream_Truncated_IsAnErrorEventNotASuccess()
    {
        await using var host = await GatewayHost.StartAsync();
        host.Upstream.Enqueue(FakeReply.Stream(FakeStreamStep.Delta("half an ans"), FakeStreamStep.Close()));

        using var response = await PostStream(host, new { model = "gpt-4o", stream = true, messages = new[] { new { role = "user", content = "x" } } });
        var (data, _) = await SseReader.ReadAllAsync(response);

        Assert.DoesNotContain("[DONE]", data);
        Assert.DoesNotContain(data, d => d.Contains("\"finish_reason\":\"stop\""));
        Assert.Equal("upstream_truncated", JsonDocument.Parse(data[^1]).RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Stream_Truncated_SdkNeverSeesFinishReasonStop()
    {
        // The .NET SDK skips error events silently (the Python SDK raises on them); what it must never see is a
        // clean finish for a truncated answer.
        await using var host = await GatewayHost.StartAsync();
        host.Upstream.Enqueue(FakeReply.Stream(FakeStreamStep.Delta("par"), FakeStreamStep.Close()));
        var finishes = new List<ChatFinishReason>();
        var text = new StringBuilder();
        await foreach (var update in host.ChatClient().CompleteChatStreamingAsync([new UserChatMessage("x")]))
        {
            foreach (var part in update.ContentUpdate) text.Append(part.Text);
            if (update.FinishReason is { } finish) finishes.Add(finish);
        }
        Assert.Equal("par", text.ToString());
        Assert.Empty(finishes);
    }

    [Fact]
    public async Task Conversation_IsComposedIntoOneReadableQuery_AndEachRequestGetsItsOwnSession()
    {
        await using var host = await GatewayHost.StartAsync();
        var client = host.ChatClient();
        await client.CompleteChatAsync([new SystemChatMessage("Be brief."), new UserChatMessage("Hi, I'm Ana."), new AssistantChatMessage("Hello Ana."), new UserChatMessage("My name?")]);
        await client.CompleteChatAsync([new UserChatMessage("Another user's question")]);

        var queries = host.Upstream.Calls.Where(c => c.Kind == FakeCallKind.Query).ToList();
        Assert.Equal("System: Be brief.\n\nUser: Hi, I'm Ana.\n\nAssistant: Hello Ana.\n\nUser: My name?", queries[0].Query);
        Assert.NotEqual(queries[0].SessionId, queries[1].SessionId);
        Assert.Single(host.Upstream.QueriesInSession(queries[1].SessionId!));
    }

    [Fact]
    public async Task Parameters_AreTranslatedToModelConfigs_OnlyWhatWasSent()
    {
        await using var host = await GatewayHost.StartAsync();
        await host.Http.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = "claude-4-sonnet",
            messages = new[] { new { role = "user", content = "x" } },
            temperature = 0.2,
            top_p = 0.5,
            stop = new[] { "A", "B" },
            max_completion_tokens = 64,
        });
        var configs = Assert.Single(host.Upstream.Calls, c => c.Kind == FakeCallKind.Query).ModelConfigs!.Value;
        Assert.Equal(0.2, configs.GetProperty("temperature").GetDouble());
        Assert.Equal(0.5, configs.GetProperty("topP").GetDouble());
        Assert.Equal(["A", "B"], configs.GetProperty("stopSequences").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(64, configs.GetProperty("maxTokens").GetInt32());
        Assert.False(configs.TryGetProperty("presencePenalty", out _));
        Assert.False(configs.TryGetProperty("fulfillmentPrompt", out _));
    }

    [Fact]
    public async Task UnknownModel_UsesDefaultEndpoint_AndAnswersWithTheRequestedName()
    {
        await using var host = await GatewayHost.StartAsync();
        var completion = (await host.ChatClient("my-favourite-model").CompleteChatAsync([new UserChatMessage("x")])).Value;
        Assert.Equal("my-favourite-model", completion.Model);
        Assert.Equal("predefined-claude-4-sonnet", Assert.Single(host.Upstream.Calls, c => c.Kind == FakeCallKind.Query).EndpointId);
    }

    [Fact]
    public async Task EndpointIdAsModel_IsPassedThrough()
    {
        await using var host = await GatewayHost.StartAsync();
        await host.ChatClient("byom-my-own").CompleteChatAsync([new UserChatMessage("x")]);
        Assert.Equal("byom-my-own", Assert.Single(host.Upstream.Calls, c => c.Kind == FakeCallKind.Query).EndpointId);
    }

    internal static async Task<HttpResponseMessage> PostStream(GatewayHost host, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = JsonContent.Create(body) };
        var response = await host.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response;
    }
}
