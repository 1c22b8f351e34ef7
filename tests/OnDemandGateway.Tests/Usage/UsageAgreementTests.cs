using System.Net.Http.Json;
using System.Text.Json;
using OnDemandGateway.FakeUpstream;
using OnDemandGateway.Tests.TestSupport;
using OnDemandGateway.Tokenization;
using OnDemandGateway.Usage;
using OnDemandGateway.Usage.Api;
using OpenAI.Chat;

namespace OnDemandGateway.Tests.Usage;

/// <summary>What clients were told they used is what the statistics say, to the token.</summary>
public sealed class UsageAgreementTests
{
    [Fact]
    public async Task Stats_AfterMixedTraffic_EqualTheUsageReturnedToClients()
    {
        await using var host = await GatewayHost.StartAsync(o => o with { ModelPrices = new Dictionary<string, OnDemandGateway.Configuration.ModelPrice> { ["gpt-4o"] = new(2.5m, 10m) } });
        var client = host.ChatClient("gpt-4o");
        long prompt = 0, completion = 0;

        // Upstream metrics (stream), our tokenizer (sync without metrics), upstream metrics (sync).
        host.Upstream.Enqueue(FakeReply.Stream(FakeStreamStep.Delta("Hello "), FakeStreamStep.Delta("world"), FakeStreamStep.Metrics(41, 2), FakeStreamStep.Done()));
        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("hi")], new ChatCompletionOptions()))
        {
            if (update.Usage is { } u) { prompt += u.InputTokenCount; completion += u.OutputTokenCount; }
        }
        host.Upstream.Enqueue(FakeReply.Answer("The quick brown fox jumps over the lazy dog."));
        var estimated = (await client.CompleteChatAsync([new SystemChatMessage("Be brief."), new UserChatMessage("Say the pangram.")])).Value.Usage;
        prompt += estimated.InputTokenCount;
        completion += estimated.OutputTokenCount;
        host.Upstream.Enqueue(FakeReply.Answer("ok", (7, 1)));
        var exact = (await client.CompleteChatAsync([new UserChatMessage("x")])).Value.Usage;
        prompt += exact.InputTokenCount;
        completion += exact.OutputTokenCount;

        // Our tiktoken count (o200k for gpt-4o, cookbook rule) for the sync reply that had no upstream metrics.
        var o200k = TiktokenEncoding.O200kBase;
        Assert.Equal(ChatTokenCounter.CountPrompt([new("system", "Be brief."), new("user", "Say the pangram.")], o200k), estimated.InputTokenCount);
        Assert.Equal(10, estimated.OutputTokenCount);

        await host.Service<IUsageFlusher>().FlushAsync(CancellationToken.None);
        using var stats = JsonDocument.Parse(await host.Http.GetStringAsync("/api/stats"));
        var root = stats.RootElement;
        Assert.Equal(3, root.GetProperty("total_requests").GetInt64());
        Assert.Equal(prompt, root.GetProperty("prompt_tokens").GetInt64());
        Assert.Equal(completion, root.GetProperty("completion_tokens").GetInt64());
        Assert.Equal((prompt * 2.5m + completion * 10m) / 1_000_000m, root.GetProperty("estimated_cost_usd").GetDecimal());

        var page = await host.Service<IUsageStore>().GetRequestsAsync(new RequestQuery(), CancellationToken.None);
        Assert.Equal([TokenSource.Upstream, TokenSource.Estimated, TokenSource.Upstream], page.Items.Reverse().Select(r => r.TokenSource));
        Assert.All(page.Items, r => Assert.Equal("test", r.ClientKey));
        Assert.All(page.Items, r => Assert.Equal("predefined-openai-gpt4o", r.EndpointId));
        Assert.All(page.Items, r => Assert.NotNull(r.TimeToFirstTokenMs));
    }

    [Fact]
    public async Task FailedRequest_IsRecordedWithItsClassifiedOutcome()
    {
        await using var host = await GatewayHost.StartAsync(o => o with { MaxRetries = 0 });
        host.Upstream.Handler = call => call.Kind == FakeCallKind.Query ? FakeReply.Status(502, "bad_gateway", "down") : null;
        await host.Http.PostAsJsonAsync("/v1/chat/completions", new { model = "gpt-4o", messages = new[] { new { role = "user", content = "x" } } });
        await host.Service<IUsageFlusher>().FlushAsync(CancellationToken.None);
        var record = Assert.Single((await host.Service<IUsageStore>().GetRequestsAsync(new RequestQuery(), CancellationToken.None)).Items);
        Assert.Equal(UsageOutcome.UpstreamFault, record.Outcome);
        Assert.Equal(502, record.HttpStatus);
        Assert.NotNull(record.Credential);
        Assert.DoesNotContain(GatewayHost.ApiKeys[0], record.Credential);
    }

    [Fact]
    public async Task RepeatedClientRequestId_EveryRequestStillCounted()
    {
        await using var host = await GatewayHost.StartAsync();
        for (var i = 0; i < 3; i++)
        {
            host.Upstream.Enqueue(FakeReply.Answer("ok", (5, 1)));
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = JsonContent.Create(new { model = "gpt-4o", messages = new[] { new { role = "user", content = "x" } } }),
            };
            request.Headers.Add("X-Request-Id", "same-id-every-time");
            using var response = await host.Http.SendAsync(request);
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("same-id-every-time", Assert.Single(response.Headers.GetValues("X-Request-Id")));
        }

        await host.Service<IUsageFlusher>().FlushAsync(CancellationToken.None);
        using var stats = JsonDocument.Parse(await host.Http.GetStringAsync("/api/stats"));
        Assert.Equal(3, stats.RootElement.GetProperty("total_requests").GetInt64());
        Assert.Equal(15, stats.RootElement.GetProperty("prompt_tokens").GetInt64());
        var page = await host.Service<IUsageStore>().GetRequestsAsync(new RequestQuery(), CancellationToken.None);
        Assert.Equal(3, page.Items.Select(r => r.RequestId).Distinct().Count());
        Assert.All(page.Items, r => Assert.StartsWith("same-id-every-time/", r.RequestId));
    }
}
