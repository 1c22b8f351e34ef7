using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OnDemandGateway.Configuration;
using OnDemandGateway.Tests.TestSupport;
using OnDemandGateway.Tests.Upstream.Http;

namespace OnDemandGateway.Tests.Relay;

/// <summary>Upstream replies that break after their status line (cut short, badly framed, too large), from a raw
/// loopback server that writes exactly the bytes under test, step by step: the relay classifies them, retries or
/// fails over, and answers the client in OpenAI's envelope.</summary>
public sealed class BrokenUpstreamReplyTests
{
    private static readonly object Body = new { model = "gpt-4o", messages = new[] { new { role = "user", content = "hello" } } };
    private static string Alpha => GatewayHost.ApiKeys[0];
    private static string Bravo => GatewayHost.ApiKeys[1];

    private static Task<GatewayHost> StartAsync(RawServer upstream, Func<GatewayOptions, GatewayOptions>? configure = null) =>
        GatewayHost.StartAsync(o => (configure ?? (x => x))(o with { OnDemandApiBase = $"http://127.0.0.1:{upstream.Port}" }));

    /// <summary>The next upstream connection the gateway opens; fails with what the client got if the gateway
    /// answered instead of trying the upstream again.</summary>
    internal static async Task<RawServerConnection> NextConnectionAsync(RawServer upstream, Task<HttpResponseMessage> pending)
    {
        var accept = upstream.AcceptAsync();
        if (await Task.WhenAny(accept, pending) == pending && !accept.IsCompleted)
        {
            var response = await pending;
            Assert.Fail($"the gateway answered {(int)response.StatusCode} '{await response.Content.ReadAsStringAsync()}' instead of trying the upstream again");
        }
        return await accept;
    }

    /// <summary>On <paramref name="connection"/>: a session creation answered with <paramref name="sessionId"/>, then
    /// that session's query answered with <paramref name="queryReply"/>; the session creation's request.</summary>
    private static async Task<RawRequest> SessionThenQueryAsync(RawServerConnection connection, string sessionId, string queryReply)
    {
        var creation = await connection.AnswerAsync(RawReplies.SessionCreated(sessionId));
        Assert.Equal("POST /chat/v1/sessions HTTP/1.1", creation.RequestLine);
        Assert.Equal($"POST /chat/v1/sessions/{sessionId}/query HTTP/1.1", (await connection.AnswerAsync(queryReply)).RequestLine);
        return creation;
    }

    [Fact]
    public async Task QueryAnswerCutShort_TwoCredentials_FailsOverAndAnswers200()
    {
        using var upstream = new RawServer();
        await using var host = await StartAsync(upstream);
        var pending = host.Http.PostAsJsonAsync("/v1/chat/completions", Body);

        using (var first = await NextConnectionAsync(upstream, pending))
        {
            Assert.Equal(Alpha, (await SessionThenQueryAsync(first, "s-1", RawReplies.CutShort)).Header("apikey"));
        }
        using var second = await NextConnectionAsync(upstream, pending);
        Assert.Equal(Bravo, (await SessionThenQueryAsync(second, "s-2", RawReplies.Answer("s-2", "from the second try"))).Header("apikey"));
        var response = await pending;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var completion = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("from the second try", completion.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
    }

    public static TheoryData<string, string> BrokenAnswers => new()
    {
        { "cut short", RawReplies.CutShort },
        { "bad chunk framing", "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n" },
        { "too large", "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 40000000\r\n\r\n{" },
    };

    [Theory]
    [MemberData(nameof(BrokenAnswers))]
    public async Task QueryAnswerBroken_OneCredential_RetriedOnceThen502InOpenAiEnvelope(string what, string answer)
    {
        using var upstream = new RawServer();
        await using var host = await StartAsync(upstream, o => o with { Credentials = o.Credentials.Take(1).ToList(), MaxRetries = 1 });
        var pending = host.Http.PostAsJsonAsync("/v1/chat/completions", Body);

        for (var attempt = 1; attempt <= 2; attempt++)
        {
            using var connection = await NextConnectionAsync(upstream, pending);
            await SessionThenQueryAsync(connection, $"s-{attempt}", answer);
        }
        var response = await pending;

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var envelope = error.RootElement.GetProperty("error");
        Assert.Equal("api_error", envelope.GetProperty("type").GetString());
        Assert.False(string.IsNullOrEmpty(envelope.GetProperty("message").GetString()), what);
        Assert.False(string.IsNullOrEmpty(envelope.GetProperty("code").GetString()), what);
    }

    [Fact]
    public async Task QueryConnectionClosedCleanlyBeforeAnyAnswer_IsRetriedOnAFreshSession()
    {
        using var upstream = new RawServer();
        await using var host = await StartAsync(upstream, o => o with { Credentials = o.Credentials.Take(1).ToList() });
        var pending = host.Http.PostAsJsonAsync("/v1/chat/completions", Body);

        using (var sessions = await NextConnectionAsync(upstream, pending))
        {
            // Connection: close, so the query goes out on a fresh connection (no resend question at all).
            await sessions.AnswerAsync(RawReplies.SessionCreated("s-1").Replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n"));
        }
        using (var query = await NextConnectionAsync(upstream, pending))
        {
            Assert.Equal("POST /chat/v1/sessions/s-1/query HTTP/1.1", (await query.ReadRequestAsync()).RequestLine);
        }   // closed cleanly (FIN), not one byte of an answer

        using var retry = await NextConnectionAsync(upstream, pending);
        await SessionThenQueryAsync(retry, "s-2", RawReplies.Answer("s-2", "fine"));
        var response = await pending;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task SessionCreationCutShort_IsRetried_AndTheRequestAnswers200()
    {
        using var upstream = new RawServer();
        await using var host = await StartAsync(upstream, o => o with { Credentials = o.Credentials.Take(1).ToList() });
        var pending = host.Http.PostAsJsonAsync("/v1/chat/completions", Body);

        using (var first = await NextConnectionAsync(upstream, pending))
        {
            var creation = await first.AnswerAsync("HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"data\":{\"");
            Assert.Equal("POST /chat/v1/sessions HTTP/1.1", creation.RequestLine);
        }
        using var second = await NextConnectionAsync(upstream, pending);
        await SessionThenQueryAsync(second, "s-2", RawReplies.Answer("s-2", "fine"));
        var response = await pending;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
