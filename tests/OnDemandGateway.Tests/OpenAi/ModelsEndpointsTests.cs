using System.Net;
using System.Text.Json;
using OnDemandGateway.Tests.TestSupport;

namespace OnDemandGateway.Tests.OpenAi;

/// <summary><c>GET /v1/models/{id}</c> for every name <c>/v1/models</c> lists, including OpenRouter/LiteLLM-style
/// names with a slash, which chat already accepts.</summary>
public sealed class ModelsEndpointsTests
{
    private static Task<GatewayHost> StartWithSlashNameAsync() => GatewayHost.StartAsync(o => o with
    {
        ModelMapping = new Dictionary<string, string>(o.ModelMapping, StringComparer.OrdinalIgnoreCase) { ["openai/gpt-4o"] = "predefined-openai-gpt4o" },
    });

    private static async Task<string?> ErrorCode(HttpResponseMessage response)
    {
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("error").GetProperty("code").GetString();
    }

    [Theory]
    [InlineData("/v1/models/openai/gpt-4o")]
    [InlineData("/v1/models/openai%2Fgpt-4o")]   // openai-node encodes the id as one path segment
    [InlineData("/v1/models/OpenAI/GPT-4o")]
    public async Task Get_IdWithSlash_ReturnsTheModel(string path)
    {
        await using var host = await StartWithSlashNameAsync();

        using var response = await host.Http.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var model = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("openai/gpt-4o", model.RootElement.GetProperty("id").GetString()!.ToLowerInvariant());
        Assert.Equal("model", model.RootElement.GetProperty("object").GetString());
        Assert.Equal("predefined-openai-gpt4o", model.RootElement.GetProperty("endpoint_id").GetString());
    }

    [Fact]
    public async Task Get_UnknownIdWithSlash_IsModelNotFound()
    {
        await using var host = await StartWithSlashNameAsync();

        using var response = await host.Http.GetAsync("/v1/models/openai/gpt-9");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("model_not_found", await ErrorCode(response));
    }

    [Fact]
    public async Task OtherV1Routes_Unchanged()
    {
        await using var host = await StartWithSlashNameAsync();

        using var list = JsonDocument.Parse(await host.Http.GetStringAsync("/v1/models"));
        Assert.Contains(list.RootElement.GetProperty("data").EnumerateArray(), m => m.GetProperty("id").GetString() == "openai/gpt-4o");
        using var plain = await host.Http.GetAsync("/v1/models/gpt-4o");
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        using var post = await host.Http.PostAsync("/v1/models/openai/gpt-4o", null);
        Assert.Equal("unknown_url", await ErrorCode(post));
        using var embeddings = await host.Http.GetAsync("/v1/embeddings");
        Assert.Equal("unknown_url", await ErrorCode(embeddings));
    }
}
