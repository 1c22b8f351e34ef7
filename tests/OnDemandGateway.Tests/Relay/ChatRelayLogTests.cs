using System.Net;
using System.Net.Http.Json;
using OnDemandGateway.Tests.TestSupport;

namespace OnDemandGateway.Tests.Relay;

/// <summary>The relay's one line per request, read back from the gateway's log file: a client's model name cannot
/// forge lines or flood the log.</summary>
public sealed class ChatRelayLogTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("odg-relaylog-").FullName;
    private string LogPath => Path.Combine(_directory, "gateway.log");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static object Request(string model) => new { model, messages = new[] { new { role = "user", content = "hello" } } };

    [Fact]
    public async Task Relay_ModelWithLineBreakOrLongest_IsLoggedAsOneBoundedLine()
    {
        const string forged = "x\n2026-01-01 00:00:00,000 WARNING [-] OnDemandGateway.Auth: forged";
        var huge = new string('m', OnDemandGateway.OpenAi.ChatRequestParser.MaxModelLength);   // the longest name accepted
        await using (var host = await GatewayHost.StartAsync(o => o with { LogPath = LogPath, LogLevel = "Information", LogFormat = "%(levelname)s %(message)s" }))
        {
            // unknown_model: default, so both are answered (and logged) like any other request
            Assert.Equal(HttpStatusCode.OK, (await host.Http.PostAsJsonAsync("/v1/chat/completions", Request(forged))).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await host.Http.PostAsJsonAsync("/v1/chat/completions", Request(huge))).StatusCode);
        }

        var lines = File.ReadAllLines(LogPath);
        var relayed = lines.Where(l => l.Contains("chat model=", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, relayed.Count);
        Assert.DoesNotContain(lines, l => l.StartsWith("2026-01-01", StringComparison.Ordinal));
        Assert.StartsWith("INFO chat model=x\\n2026-01-01 00:00:00,000 WARNING", relayed[0]);
        Assert.All(relayed, l => Assert.InRange(l.Length, 1, 500));
        Assert.StartsWith("INFO chat model=mmmm", relayed[1]);
        Assert.Contains("(256 chars)", relayed[1]);
        Assert.Contains(" stream=False status=200", relayed[1]);
    }
}
