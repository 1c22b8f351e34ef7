using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using OnDemandGateway.FakeUpstream;

namespace OnDemandGateway.Tests.FakeUpstream;

/// <summary>A minimal OnDemand client over real loopback HTTP, written from the spec, to drive the fake in tests.</summary>
internal sealed class FakeUpstreamClient(FakeOnDemandServer fake) : IDisposable
{
    public HttpClient Http { get; } = new() { BaseAddress = fake.BaseUrl, Timeout = TimeSpan.FromSeconds(10) };

    public static string QueryBody(string query, string mode = "sync", string? modelConfigs = null) =>
        modelConfigs is null
            ? $$"""{"query":{{JsonSerializer.Serialize(query)}},"endpointId":"predefined-openai-gpt4o","pluginIds":[],"responseMode":"{{mode}}"}"""
            : $$"""{"query":{{JsonSerializer.Serialize(query)}},"endpointId":"predefined-openai-gpt4o","pluginIds":[],"responseMode":"{{mode}}","modelConfigs":{{modelConfigs}}}""";

    public Task<HttpResponseMessage> PostAsync(string path, string json, ChatAuth? auth = null, bool sessionCreation = false,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead, CancellationToken ct = default)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        auth?.Apply(request, sessionCreation);
        return Http.SendAsync(request, completion, ct);
    }

    public async Task<string> CreateSessionAsync(ChatAuth auth, string externalUserId = "user-1")
    {
        using var response = await PostAsync(auth.Prefix, $$"""{"externalUserId":"{{externalUserId}}","pluginIds":[]}""", auth, sessionCreation: true);
        Assert.Equal(201, (int)response.StatusCode);
        return (await JsonOf(response)).GetProperty("data").GetProperty("id").GetString()!;
    }

    public Task<HttpResponseMessage> QueryAsync(ChatAuth auth, string sessionId, string body,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead, CancellationToken ct = default) =>
        PostAsync($"{auth.Prefix}/{sessionId}/query", body, auth, completion: completion, ct: ct);

    public async Task<ChatAuth> SigninAsync(string email, string password)
    {
        using var response = await SigninResponseAsync(email, password);
        Assert.Equal(200, (int)response.StatusCode);
        var data = (await JsonOf(response)).GetProperty("data");
        return ChatAuth.Account(
            data.GetProperty("tokenData").GetProperty("token").GetString()!,
            data.GetProperty("tokenData").GetProperty("refreshToken").GetString()!,
            data.GetProperty("user").GetProperty("userId").GetString()!,
            data.GetProperty("user").GetProperty("default_company_id").GetString()!);
    }

    public Task<HttpResponseMessage> SigninResponseAsync(string email, string password)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/auth/user/signin")
        {
            Content = new StringContent("""{"accountType":"default"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{email}:{password}")));
        return Http.SendAsync(request);
    }

    public Task<HttpResponseMessage> RefreshAsync(ChatAuth login) =>
        PostAsync("/v1/auth/user/refresh_token", $$$"""{"data":{"token":"{{{login.Token}}}","refreshToken":"{{{login.RefreshToken}}}"}}""");

    public static async Task<JsonElement> JsonOf(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    public static async Task<(string Code, string Message)> ErrorOf(HttpResponseMessage response)
    {
        var json = await JsonOf(response);
        return (json.GetProperty("errorCode").GetString()!, json.GetProperty("message").GetString()!);
    }

    /// <summary>The answer a spec-following client assembles from a stream: fulfillment deltas in order.</summary>
    public static string AnswerOf(IEnumerable<SseFrame> frames) =>
        string.Concat(frames.Where(f => f.EventType == "fulfillment").Select(f => f.Json.GetProperty("answer").GetString()));

    public void Dispose() => Http.Dispose();
}
