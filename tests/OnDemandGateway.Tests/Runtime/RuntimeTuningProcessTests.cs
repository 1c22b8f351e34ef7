using System.Net.Sockets;
using OnDemandGateway.FakeUpstream;
using OnDemandGateway.Tests.TestSupport;

namespace OnDemandGateway.Tests.Runtime;

/// <summary>The real executable applies its runtime settings by replacing its own image once: same process id,
/// still serving, the settings visible in its environment; and an operator's choice is left alone.</summary>
public sealed class RuntimeTuningProcessTests
{
    [Fact]
    public async Task Start_OnLinux_SameProcessRunsWithTheTunedSettingsAndServes()
    {
        if (!OperatingSystem.IsLinux()) return;
        await using var upstream = await FakeOnDemandServer.StartAsync(new FakeOnDemandOptions { Quiet = true });
        upstream.AddApiKey("upstream-key-tuning-0001");
        await using var gateway = await GatewayProcess.StartAsync(new Dictionary<string, string>
        {
            ["API_ACCESS_TOKEN"] = "tuning-token-0001",
            ["ONDEMAND_API_KEYS"] = "upstream-key-tuning-0001",
            ["ONDEMAND_API_BASE"] = upstream.BaseUrl.ToString(),
            ["ONDEMAND_AUTH_BASE"] = upstream.BaseUrl.ToString(),
        });

        var environment = ReadEnvironment(gateway.Id);
        Assert.Equal("1", environment.GetValueOrDefault("DOTNET_TC_CallCountingDelayMs"));
        Assert.Equal("1", environment.GetValueOrDefault("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS"));
        Assert.Equal("0x1000000", environment.GetValueOrDefault("DOTNET_GCgen0size"));
        using var response = await gateway.ChatAsync("tuning-token-0001");
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        using var stream = await gateway.ChatAsync("tuning-token-0001", stream: true);
        Assert.Contains("data: [DONE]", await stream.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Start_AfterTheRestart_DiagnosticToolsCanConnect()
    {
        if (!OperatingSystem.IsLinux()) return;
        await using var gateway = await GatewayProcess.StartAsync(new Dictionary<string, string> { ["API_ACCESS_TOKEN"] = "tuning-token-0002" });
        Assert.Equal("1", ReadEnvironment(gateway.Id).GetValueOrDefault("DOTNET_TC_CallCountingDelayMs")); // it did restart

        // What dotnet-counters / dotnet-trace do first: connect to the runtime's diagnostics socket for the pid
        // (in $TMPDIR, which the test points at the gateway's data folder).
        var socketFile = Assert.Single(Directory.GetFiles(gateway.DataDir, $"dotnet-diagnostic-{gateway.Id}-*-socket"));
        using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await client.ConnectAsync(new UnixDomainSocketEndPoint(socketFile));
        Assert.True(client.Connected);
    }

    [Fact]
    public async Task Start_TuningTurnedOff_RuntimeDefaultsKept()
    {
        if (!OperatingSystem.IsLinux()) return;
        await using var gateway = await GatewayProcess.StartAsync(new Dictionary<string, string> { ["ODG_RUNTIME_TUNING"] = "0" });

        var environment = ReadEnvironment(gateway.Id);
        Assert.False(environment.ContainsKey("DOTNET_TC_CallCountingDelayMs"));
        Assert.False(environment.ContainsKey("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS"));
        Assert.False(environment.ContainsKey("DOTNET_GCgen0size"));
    }

    [Fact]
    public async Task Start_OperatorChoseTheGen0Budget_ItIsKept()
    {
        if (!OperatingSystem.IsLinux()) return;
        await using var gateway = await GatewayProcess.StartAsync(new Dictionary<string, string> { ["DOTNET_GCgen0size"] = "0x4000000" });

        var environment = ReadEnvironment(gateway.Id);
        Assert.Equal("1", environment.GetValueOrDefault("DOTNET_TC_CallCountingDelayMs"));
        Assert.Equal("0x4000000", environment.GetValueOrDefault("DOTNET_GCgen0size"));
    }

    private static Dictionary<string, string> ReadEnvironment(int processId) =>
        File.ReadAllText($"/proc/{processId}/environ").Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2)).Where(p => p.Length == 2)
            .GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.Last()[1]);
}
