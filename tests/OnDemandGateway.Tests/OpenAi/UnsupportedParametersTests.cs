using System.ClientModel;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OnDemandGateway.FakeUpstream;
using OnDemandGateway.Tests.TestSupport;
using OpenAI.Chat;

namespace OnDemandGateway.Tests.OpenAi;

/// <summary>JSON mode, structured outputs and log probabilities cannot be honoured (on-demand.io has neither): a
/// client asking for them gets a 400 naming the parameter instead of prose it will fail to parse, unless the
/// operator chose drop_unsupported_params.</summary>
public sealed class UnsupportedParametersTests
{
    private static readonly ChatMessage[] Question = [new UserChatMessage("Reply in JSON: what is 2+2?")];

    [Fact]
    public async Task JsonMode_WithOpenAiSdk_Is400NamingResponseFormat()
    {
        await using var host = await GatewayHost.StartAsync();

        var error = await Assert.ThrowsAsync<ClientResultException>(() => host.ChatClient().CompleteChatAsync(Question,
            new ChatCompletionOptions { ResponseFormat = ChatResponseFormat.CreateJsonObjectFormat() }));

        Assert.Equal(400, error.Status);
        using var body = JsonDocument.Parse(error.GetRawResponse()!.Content.ToString());
        var envelope = body.RootElement.GetProperty("error");
        Assert.Equal("invalid_request_error", envelope.GetProperty("type").GetString());
        Assert.Equal("response_format", envelope.GetProperty("param").GetString());
        Assert.Equal("unsupported_parameter", envelope.GetProperty("code").GetString());
        Assert.Contains("no JSON mode", envelope.GetProperty("message").GetString());
        Assert.DoesNotContain(host.Upstream.Calls, c => c.Kind == FakeCallKind.Query);
    }

    [Fact]
    public async Task StructuredOutputsAndLogprobs_DropUnsupportedParams_AreIgnored()
    {
        await using var host = await GatewayHost.StartAsync(o => o with { DropUnsupportedParams = true });
        host.Upstream.Enqueue(FakeReply.Answer("{\"answer\": 4}"));

        var completion = (await host.ChatClient().CompleteChatAsync(Question, new ChatCompletionOptions
        {
            ResponseFormat = ChatResponseFormat.CreateJsonSchemaFormat("answer", BinaryData.FromString("""{"type":"object","properties":{"answer":{"type":"integer"}}}""")),
            IncludeLogProbabilities = true,
        })).Value;

        Assert.Equal("{\"answer\": 4}", completion.Content[0].Text);
        Assert.Single(host.Upstream.Calls, c => c.Kind == FakeCallKind.Query);
    }

    [Fact]
    public async Task Logprobs_Default_Is400()
    {
        await using var host = await GatewayHost.StartAsync();

        using var response = await host.Http.PostAsJsonAsync("/v1/chat/completions", new { logprobs = true, messages = new[] { new { role = "user", content = "x" } } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("logprobs", body.RootElement.GetProperty("error").GetProperty("param").GetString());
        Assert.DoesNotContain(host.Upstream.Calls, c => c.Kind == FakeCallKind.Query);
    }
}
