using System.Net;
using System.Net.Http.Json;
using OnDemandGateway.FakeUpstream;
using OnDemandGateway.Tests.TestSupport;

namespace OnDemandGateway.Tests.OpenAi;

/// <summary>Browser clients (TypingMind, NextChat, openai-node with dangerouslyAllowBrowser) call <c>/v1</c> from a
/// page: the preflight must be answered without a token, and every <c>/v1</c> answer must carry the allow-origin
/// header. The dashboard, which authenticates by cookie, is never opened to other origins.</summary>
public sealed class CorsTests
{
    private const string AppOrigin = "https://app.example";
    private static readonly object Chat = new { model = "gpt-4o", messages = new[] { new { role = "user", content = "x" } } };

    private static HttpRequestMessage Preflight(string path, string origin, string method = "POST") =>
        new(HttpMethod.Options, path)
        {
            Headers =
            {
                { "Origin", origin },
                { "Access-Control-Request-Method", method },
                { "Access-Control-Request-Headers", "authorization, content-type, x-stainless-os, x-stainless-retry-count" },
            },
        };

    private static string? AllowOrigin(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) ? values.Single() : null;

    private static string Header(HttpResponseMessage response, string name) => string.Join(",", response.Headers.GetValues(name));

    [Theory]
    [InlineData("/v1/chat/completions", "POST")]
    [InlineData("/v1/models", "GET")]
    [InlineData("/v1/models/gpt-4o", "GET")]
    public async Task Preflight_DefaultConfig_AnyOriginAllowedWithoutToken(string path, string method)
    {
        await using var host = await GatewayHost.StartAsync();
        using var anonymous = new HttpClient { BaseAddress = host.BaseUrl };

        using var response = await anonymous.SendAsync(Preflight(path, "https://chat.somewhere.example", method));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("*", AllowOrigin(response));
        Assert.Contains(method, Header(response, "Access-Control-Allow-Methods"));
        var allowedHeaders = Header(response, "Access-Control-Allow-Headers").ToLowerInvariant();
        foreach (var header in (string[])["authorization", "content-type", "x-stainless-os", "x-stainless-retry-count"])
            Assert.Contains(header, allowedHeaders);
        Assert.True(int.Parse(Header(response, "Access-Control-Max-Age")) > 0);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Credentials"));
        Assert.Empty(host.Upstream.Calls);
    }

    [Fact]
    public async Task ActualResponses_SuccessErrorAndStream_CarryAllowOrigin()
    {
        await using var host = await GatewayHost.StartAsync();
        host.Upstream.Enqueue(FakeReply.Answer("hi"));
        host.Upstream.Enqueue(FakeReply.Stream(FakeStreamStep.Delta("A"), FakeStreamStep.Delta("B"), FakeStreamStep.Done()));

        using var ok = await host.Http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Headers = { { "Origin", AppOrigin } }, Content = JsonContent.Create(Chat),
        });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("*", AllowOrigin(ok));
        Assert.Contains("x-request-id", Header(ok, "Access-Control-Expose-Headers").ToLowerInvariant());
        Assert.Contains("x-should-retry", Header(ok, "Access-Control-Expose-Headers").ToLowerInvariant());
        Assert.False(ok.Headers.Contains("Access-Control-Allow-Credentials"));

        using var anonymous = new HttpClient { BaseAddress = host.BaseUrl };
        using var unauthorized = await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Headers = { { "Origin", AppOrigin } }, Content = JsonContent.Create(Chat),
        });
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        Assert.Equal("*", AllowOrigin(unauthorized));

        using var stream = await host.Http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Headers = { { "Origin", AppOrigin } },
            Content = JsonContent.Create(new { model = "gpt-4o", stream = true, messages = new[] { new { role = "user", content = "x" } } }),
        }, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", stream.Content.Headers.ContentType!.MediaType);
        Assert.Equal("*", AllowOrigin(stream));
        Assert.Equal("[DONE]", (await SseReader.ReadAllAsync(stream)).Data[^1]);
    }

    [Fact]
    public async Task ConfiguredOrigins_ListedAllowed_UnlistedNot()
    {
        await using var host = await GatewayHost.StartAsync(o => o with { CorsOrigins = [AppOrigin, "http://localhost:3000"] });
        host.Upstream.Enqueue(FakeReply.Answer("hi"));
        using var anonymous = new HttpClient { BaseAddress = host.BaseUrl };

        using var listed = await anonymous.SendAsync(Preflight("/v1/chat/completions", "http://localhost:3000"));
        Assert.Equal(HttpStatusCode.NoContent, listed.StatusCode);
        Assert.Equal("http://localhost:3000", AllowOrigin(listed));

        using var unlisted = await anonymous.SendAsync(Preflight("/v1/chat/completions", "https://evil.example"));
        Assert.Null(AllowOrigin(unlisted));

        using var actual = await host.Http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Headers = { { "Origin", AppOrigin } }, Content = JsonContent.Create(Chat),
        });
        Assert.Equal(AppOrigin, AllowOrigin(actual));
        Assert.Contains("Origin", actual.Headers.Vary);

        using var other = await host.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/v1/models") { Headers = { { "Origin", "https://evil.example" } } });
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Null(AllowOrigin(other));
    }

    [Fact]
    public async Task CorsOff_PreflightIsUnknownUrlWithoutCorsHeaders()
    {
        await using var host = await GatewayHost.StartAsync(o => o with { CorsOrigins = [] });
        using var anonymous = new HttpClient { BaseAddress = host.BaseUrl };

        using var response = await anonymous.SendAsync(Preflight("/v1/chat/completions", AppOrigin));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Null(AllowOrigin(response));
    }

    [Theory]
    [InlineData("GET", "/")]
    [InlineData("POST", "/login")]
    [InlineData("GET", "/api/stats")]
    [InlineData("GET", "/api/accounts")]
    [InlineData("POST", "/save_stats")]
    [InlineData("GET", "/health")]
    [InlineData("GET", "/metrics")]
    public async Task OutsideV1_NoCorsHeaders(string method, string path)
    {
        await using var host = await GatewayHost.StartAsync();
        using var anonymous = new HttpClient { BaseAddress = host.BaseUrl };

        using var preflight = await anonymous.SendAsync(Preflight(path, AppOrigin, method));
        using var actual = await host.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Headers = { { "Origin", AppOrigin } } });

        Assert.NotEqual(HttpStatusCode.NoContent, preflight.StatusCode);
        Assert.Null(AllowOrigin(preflight));
        Assert.Null(AllowOrigin(actual));
    }
}
