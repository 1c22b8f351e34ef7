using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OnDemandGateway.Configuration;
using OnDemandGateway.FakeUpstream;
using OnDemandGateway.Tests.TestSupport;

namespace OnDemandGateway.Tests.OpenAi;

/// <summary>A client's mistakes get a clear 4xx in OpenAI's envelope, never a 500, and never reach the upstream.</summary>
public sealed class ClientErrorTests
{
    private static async Task<JsonElement> Error(HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = doc.RootElement.GetProperty("error").Clone();
        Assert.True(error.TryGetProperty("message", out _));
        Assert.True(error.TryGetProperty("type", out _));
        Assert.True(error.TryGetProperty("param", out _));
        Assert.True(error.TryGetProperty("code", out _));
        return error;
    }

    private static Task<HttpResponseMessage> PostRaw(GatewayHost host, string body) =>
        host.Http.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));

    [Theory]
    [InlineData(null, "missing_api_key")]
    [InlineData("wrong-token", "invalid_api_key")]
    public async Task MissingOrWrongToken_Is401(string? token, string code)
    {
        await using var host = await GatewayHost.StartAsync();
        using var client = new HttpClient { BaseAddress = host.BaseUrl };
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await client.PostAsJsonAsync("/v1/chat/completions", new { messages = new[] { new { role = "user", content = "x" } } });
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(code, (await Error(response)).GetProperty("code").GetString());
        Assert.Empty(host.Upstream.Calls);
    }

    [Fact]
    public async Task XApiKeyHeader_Authenticates()
    {
        await using var host = await GatewayHost.StartAsync();
        using var client = new HttpClient { BaseAddress = host.BaseUrl };
        client.DefaultRequestHeaders.Add("X-API-KEY", GatewayHost.Token);
        var response = await client.PostAsJsonAsync("/v1/chat/completions", new { messages = new[] { new { role = "user", content = "x" } } });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("{\"messages\": [", "invalid_json")]
    [InlineData("", "invalid_json")]
    [InlineData("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"temperature\":\"warm\"}", "invalid_type")]
    [InlineData("{\"messages\":[{\"role\":\"robot\",\"content\":\"x\"}]}", "invalid_value")]
    [InlineData("{\"messages\":[]}", "empty_array")]
    public async Task MalformedOrWrongTypes_Is400(string body, string code)
    {
        await using var host = await GatewayHost.StartAsync();
        var response = await PostRaw(host, body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(code, (await Error(response)).GetProperty("code").GetString());
        Assert.DoesNotContain(host.Upstream.Calls, c => c.Kind == FakeCallKind.Query);
    }

    [Theory]
    [InlineData(new byte[] { 0xC3, 0x28 }, "invalid_json")]                                        // invalid UTF-8 inside a string
    [InlineData(new byte[] { (byte)'\\', (byte)'u', (byte)'d', (byte)'8', (byte)'3', (byte)'d' }, "invalid_value")]   // "\ud83d" alone
    public async Task BadTextEncoding_Is400NotA500(byte[] inside, string code)
    {
        await using var host = await GatewayHost.StartAsync();
        byte[] body = [.. "{\"messages\":[{\"role\":\"user\",\"content\":\"x"u8, .. inside, .. "\"}]}"u8];
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        var response = await host.Http.PostAsync("/v1/chat/completions", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await Error(response);
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.DoesNotContain(host.Upstream.Calls, c => c.Kind == FakeCallKind.Query);
    }

    [Fact]
    public async Task OversizedBody_Is413()
    {
        await using var host = await GatewayHost.StartAsync(o => o with { MaxRequestBodyBytes = 1024 });
        var big = new string('x', 5000);
        var response = await PostRaw(host, $"{{\"messages\":[{{\"role\":\"user\",\"content\":\"{big}\"}}]}}");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("request_too_large", (await Error(response)).GetProperty("code").GetString());

        var chunked = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(big))) };
        chunked.Headers.TransferEncodingChunked = true;
        var streamed = await host.Http.SendAsync(chunked);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, streamed.StatusCode);
    }

    [Fact]
    public async Task UnknownModel_WithRejectPolicy_Is404ModelNotFound()
    {
        await using var host = await GatewayHost.StartAsync(o => o with { UnknownModels = UnknownModelPolicy.Reject });
        var response = await host.Http.PostAsJsonAsync("/v1/chat/completions", new { model = "no-such-model", messages = new[] { new { role = "user", content = "x" } } });
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var error = await Error(response);
        Assert.Equal("model_not_found", error.GetProperty("code").GetString());
        Assert.Equal("model", error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task RateLimit_PerKey_Is429WithHeaders()
    {
        // Windows are calendar minutes: a clock that stands still at 12:00:05 keeps all three requests in one.
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 11, 22, 12, 0, 5, TimeSpan.Zero));
        await using var host = await GatewayHost.StartAsync(o => o with { RateLimitPerMinute = 2 },
            services: s => s.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock)));
        var body = new { messages = new[] { new { role = "user", content = "x" } } };
        var first = await host.Http.PostAsJsonAsync("/v1/chat/completions", body);
        Assert.Equal("2", first.Headers.GetValues("x-ratelimit-limit-requests").Single());
        Assert.Equal("1", first.Headers.GetValues("x-ratelimit-remaining-requests").Single());
        Assert.Equal("55s", first.Headers.GetValues("x-ratelimit-reset-requests").Single());
        await host.Http.PostAsJsonAsync("/v1/chat/completions", body);
        var third = await host.Http.PostAsJsonAsync("/v1/chat/completions", body);
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(55), third.Headers.RetryAfter?.Delta); // until the next minute
        Assert.Equal("rate_limit_exceeded", (await Error(third)).GetProperty("code").GetString());
        Assert.Equal(2, host.Upstream.Calls.Count(c => c.Kind == FakeCallKind.Query));
    }

    [Fact]
    public async Task UnknownV1Path_Is404InEnvelope()
    {
        await using var host = await GatewayHost.StartAsync();
        var response = await host.Http.GetAsync("/v1/embeddings");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("unknown_url", (await Error(response)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Models_ListAndGet_InOpenAiShape()
    {
        await using var host = await GatewayHost.StartAsync();
        using var list = JsonDocument.Parse(await host.Http.GetStringAsync("/v1/models"));
        Assert.Equal("list", list.RootElement.GetProperty("object").GetString());
        Assert.Contains(list.RootElement.GetProperty("data").EnumerateArray(), m => m.GetProperty("id").GetString() == "gpt-4o" && m.GetProperty("object").GetString() == "model");

        using var one = JsonDocument.Parse(await host.Http.GetStringAsync("/v1/models/gpt-4o"));
        Assert.Equal("predefined-openai-gpt4o", one.RootElement.GetProperty("endpoint_id").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await host.Http.GetAsync("/v1/models/nope")).StatusCode);

        using var anonymous = new HttpClient { BaseAddress = host.BaseUrl };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/v1/models")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/accounts")).StatusCode);
    }

    [Fact]
    public async Task Models_WithoutAuthWhenConfigured()
    {
        await using var host = await GatewayHost.StartAsync(o => o with { ModelsRequireAuth = false });
        using var anonymous = new HttpClient { BaseAddress = host.BaseUrl };
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/v1/models")).StatusCode);
    }
}
