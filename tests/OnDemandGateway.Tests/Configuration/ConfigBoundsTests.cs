using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using OnDemandGateway.FakeUpstream;
using OnDemandGateway.Tests.TestSupport;

namespace OnDemandGateway.Tests.Configuration;

/// <summary>Every number key has an upper bound checked at start-up, so no value passes start-up and then fails
/// requests: durations end up in timers, delays and deadlines (the runtime's timers stop at about 49.7 days,
/// TimeSpan and DateTimeOffset overflow further up), counts in loops and arithmetic.</summary>
public sealed class ConfigBoundsTests
{
    private const string Seconds = "a number of seconds above 0, at most 86400 (one day)";
    private const string SecondsOrZero = "a number of seconds from 0 to 86400 (one day)";

    public static TheoryData<string, string, double, double, string> Bounds => new()
    {
        { "request_timeout", "REQUEST_TIMEOUT", 86400, 5_000_000, Seconds },
        { "stream_timeout", "STREAM_TIMEOUT", 86400, 31_536_000, Seconds },
        { "invalid_credential_reprobe_seconds", "INVALID_CREDENTIAL_REPROBE_SECONDS", 86400, 1e12, Seconds },
        { "retry_delay", "RETRY_DELAY", 86400, 86400.5, SecondsOrZero },
        { "account_cooldown_seconds", "ACCOUNT_COOLDOWN_SECONDS", 86400, 1e12, SecondsOrZero },
        { "all_cooling_max_wait_seconds", "ALL_COOLING_MAX_WAIT_SECONDS", 86400, 5_000_000, SecondsOrZero },
        { "max_retries", "MAX_RETRIES", 100, 2_147_483_647, "a whole number from 0 to 100" },
        { "session_pool_size", "SESSION_POOL_SIZE", 256, 1_000_000, "a whole number from 0 to 256" },
        { "usage_retention_days", "USAGE_RETENTION_DAYS", 36500, 2_147_483_647, "a whole number from 1 to 36500" },
        { "log_backups", "LOG_BACKUPS", 1000, 2_147_483_647, "a whole number from 1 to 1000" },
        { "max_request_body_bytes", "MAX_REQUEST_BODY_BYTES", 1_073_741_824, 3_000_000_000, "a whole number of bytes from 1 to 1073741824 (1 GiB)" },
    };

    private static string Text(double value) => value.ToString(CultureInfo.InvariantCulture);

    [Theory]
    [MemberData(nameof(Bounds))]
    public void Load_AboveTheBound_StopsStartUpNamingKeyAndRange(string fileKey, string envKey, double bound, double above, string requirement)
    {
        _ = bound;
        using var file = new ConfigScenario().WithFile($$"""{"{{fileKey}}": {{Text(above)}}}""");
        var fromFile = file.LoadFails();
        Assert.Equal(fileKey, fromFile.Key);
        Assert.Equal($"config.json: \"{fileKey}\" must be {requirement} (got {Text(above)})", fromFile.Message);

        using var environment = new ConfigScenario();
        var fromEnvironment = environment.LoadFails((envKey, Text(above)));
        Assert.Equal(envKey, fromEnvironment.Key);
        Assert.Equal($"{envKey}: must be {requirement} (got \"{Text(above)}\")", fromEnvironment.Message);
    }

    [Theory]
    [MemberData(nameof(Bounds))]
    public void Load_AtTheBound_IsAccepted(string fileKey, string envKey, double bound, double above, string requirement)
    {
        _ = (above, requirement);
        using var scenario = new ConfigScenario().WithFile($$"""{"{{fileKey}}": {{Text(bound)}}}""");
        scenario.Load();
        scenario.Load((envKey, Text(bound)));
    }

    [Theory]
    [InlineData("""{"default_model_price": 1000001}""", "default_model_price", """config.json: "default_model_price" must be a price from 0 to 1000000 USD per 1M tokens (got 1000001)""")]
    [InlineData("""{"model_prices": {"gpt-4o": {"input": 1, "output": 79000000000000000000000000000}}}""", "model_prices", """config.json: "model_prices"["gpt-4o"].output must be a price from 0 to 1000000 USD per 1M tokens (got 79000000000000000000000000000)""")]
    public void Load_PriceAboveTheBound_StopsStartUp(string json, string key, string message)
    {
        // A cost is price × tokens in decimal, which overflows (an exception on every request) for absurd prices.
        using var scenario = new ConfigScenario().WithFile(json);

        var error = scenario.LoadFails();

        Assert.Equal(key, error.Key);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public async Task TimeoutsAtTheBound_ChatAndStreamStillAnswer()
    {
        // Above about 49.7 days every chat request was a 500 (the deadline's timer refused the value); the bound
        // keeps the longest allowed values inside what timers accept.
        await using var host = await GatewayHost.StartAsync(o => o with
        {
            RequestTimeoutSeconds = 86400, StreamTimeoutSeconds = 86400, AllCoolingMaxWaitSeconds = 86400, RetryDelaySeconds = 86400,
        });
        host.Upstream.Enqueue(FakeReply.Answer("hi"));
        host.Upstream.Enqueue(FakeReply.Stream(FakeStreamStep.Delta("A"), FakeStreamStep.Done()));

        using var chat = await host.Http.PostAsJsonAsync("/v1/chat/completions", new { messages = new[] { new { role = "user", content = "x" } } });
        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        using var stream = await host.Http.PostAsJsonAsync("/v1/chat/completions", new { stream = true, messages = new[] { new { role = "user", content = "x" } } });
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        Assert.Equal("[DONE]", (await SseReader.ReadAllAsync(stream)).Data[^1]);
    }
}
