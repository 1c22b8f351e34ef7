using System.ClientModel;
using OnDemandGateway.FakeUpstream;
using OpenAI;
using OpenAI.Chat;

namespace OnDemandGateway.Tests.FakeUpstream;

/// <summary>The OpenAI-shaped baseline mode, checked with the official OpenAI .NET client.</summary>
public sealed class FakeServerOpenAiModeTests
{
    [Fact]
    public async Task OpenAiMode_NonStream_ReturnsCannedChatCompletion()
    {
        await using var fake = await FakeOnDemandServer.StartAsync(new FakeOnDemandOptions { Quiet = true, OpenAiMode = true });
        var chat = ClientFor(fake, "gpt-4o-mini");

        ChatCompletion completion = await chat.CompleteChatAsync([new UserChatMessage("hello")]);

        Assert.Equal(OpenAiCannedText, completion.Content[0].Text);
        Assert.Equal("gpt-4o-mini", completion.Model);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.True(completion.Usage.OutputTokenCount > 0);
    }

    [Fact]
    public async Task OpenAiMode_AnswerText_ReplacesTheCannedText()
    {
        await using var fake = await FakeOnDemandServer.StartAsync(new FakeOnDemandOptions { Quiet = true, OpenAiMode = true, AnswerText = "Benchmark answer." });

        ChatCompletion completion = await ClientFor(fake, "gpt-4o").CompleteChatAsync([new UserChatMessage("hello")]);

        Assert.Equal("Benchmark answer.", completion.Content[0].Text);
    }

    [Fact]
    public async Task OpenAiMode_Stream_ReturnsChunksThatJoinToTheCannedText()
    {
        await using var fake = await FakeOnDemandServer.StartAsync(new FakeOnDemandOptions { Quiet = true, OpenAiMode = true, StreamDeltas = 5 });
        var chat = ClientFor(fake, "gpt-4o");

        var text = new System.Text.StringBuilder();
        var contentUpdates = 0;
        ChatFinishReason? finish = null;
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("hello")]))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
                contentUpdates++;
            }

            finish ??= update.FinishReason;
        }

        Assert.Equal(OpenAiCannedText, text.ToString());
        Assert.Equal(5, contentUpdates);
        Assert.Equal(ChatFinishReason.Stop, finish);
    }

    [Fact]
    public async Task OpenAiMode_StreamRaw_UsesSpacedDataLinesAndEndsWithDone()
    {
        await using var fake = await FakeOnDemandServer.StartAsync(new FakeOnDemandOptions { Quiet = true, OpenAiMode = true });
        using var http = new HttpClient { BaseAddress = fake.BaseUrl };

        using var response = await http.PostAsync("/v1/chat/completions", new StringContent(
            """{"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}""",
            System.Text.Encoding.UTF8, "application/json"));
        var raw = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        Assert.StartsWith("data: {", raw);
        Assert.Contains("\"usage\":{\"prompt_tokens\"", raw);
        Assert.EndsWith("data: [DONE]\n\n", raw);
    }

    [Fact]
    public async Task OpenAiMode_Off_CompletionsPathIs404()
    {
        await using var fake = await FakeOnDemandServer.StartAsync(new FakeOnDemandOptions { Quiet = true });
        using var http = new HttpClient { BaseAddress = fake.BaseUrl };

        using var response = await http.PostAsync("/v1/chat/completions", new StringContent("""{"messages":[]}"""));

        Assert.Equal(404, (int)response.StatusCode);
    }

    private const string OpenAiCannedText = "Fake answer to: the benchmark prompt, served by the OpenAI-shaped fake upstream.";

    private static ChatClient ClientFor(FakeOnDemandServer fake, string model) =>
        new(model, new ApiKeyCredential("sk-fake"), new OpenAIClientOptions { Endpoint = new Uri(fake.BaseUrl, "/v1") });
}
