using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OnDemandGateway.Auth;
using OnDemandGateway.Configuration;

namespace OnDemandGateway.Tests.Configuration;

/// <summary>Start-up as <c>Program</c> does it: env-style keys go in through the configure hook.</summary>
public sealed class GatewayConfigurationExtensionsTests
{
    private static Action<IConfigurationBuilder> Environment(params (string Key, string Value)[] values) =>
        builder => builder.AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)));

    [Fact]
    public async Task Build_NoClientTokenConfigured_GeneratedTokenAuthenticatesAndIsReusedNextStart()
    {
        using var scenario = new ConfigScenario();
        var dataDir = Path.Combine(scenario.Directory, "data");

        await using var first = Program.Build([], Environment(("DATA_DIR", dataDir)));
        var token = File.ReadAllText(Path.Combine(dataDir, "client_token")).Trim();
        await using var second = Program.Build([], Environment(("DATA_DIR", dataDir)));

        foreach (var app in new[] { first, second })
        {
            Assert.True(app.Services.GetRequiredService<ClientKeyRing>().TryAuthenticate(token, out var key));
            Assert.Equal("generated", key.Name);
            Assert.Equal([new ClientKeyOptions("generated", token)], app.Services.GetRequiredService<GatewayOptions>().ClientKeys);
        }
        Assert.Equal(token, File.ReadAllText(Path.Combine(dataDir, "client_token")).Trim());
    }

    [Fact]
    public async Task Build_ClientTokenConfigured_NoTokenIsGenerated()
    {
        using var scenario = new ConfigScenario();
        var dataDir = Path.Combine(scenario.Directory, "data");

        await using var app = Program.Build([], Environment(("DATA_DIR", dataDir), ("API_ACCESS_TOKEN", "sk-mine")));

        Assert.True(app.Services.GetRequiredService<ClientKeyRing>().TryAuthenticate("sk-mine", out var key));
        Assert.Equal("key-1", key.Name);
        Assert.False(File.Exists(Path.Combine(dataDir, "client_token")));
    }

    [Fact]
    public void Build_BadEnvironmentValue_ThrowsConfigException()
    {
        var error = Assert.Throws<ConfigException>(() => Program.Build([], Environment(("PORT", "eighty"))));

        Assert.Equal("PORT", error.Key);
    }

    [Fact]
    public async Task Build_OptionsGiven_UsesThemAsIsWithoutReadingEnvironment()
    {
        var options = new GatewayOptions { ClientKeys = [new ClientKeyOptions("test", "sk-test")], Port = 7000 };

        await using var app = Program.Build([], Environment(("PORT", "eighty"), ("API_ACCESS_TOKEN", "sk-env")), options);

        Assert.Same(options, app.Services.GetRequiredService<GatewayOptions>());
        Assert.False(app.Services.GetRequiredService<ClientKeyRing>().TryAuthenticate("sk-env", out _));
    }

    [Fact]
    public async Task Build_NoUrlsGiven_ListensOnAllInterfacesAtPort()
    {
        using var scenario = new ConfigScenario();

        await using var app = Program.Build([], Environment(("PORT", "8123"), ("API_ACCESS_TOKEN", "sk"), ("DATA_DIR", scenario.Directory)));

        Assert.Equal("http://*:8123", app.Configuration["urls"]);
    }

    [Fact]
    public async Task Build_UrlsGiven_KeepsThem()
    {
        using var scenario = new ConfigScenario();

        await using var app = Program.Build(["--urls", "http://127.0.0.1:0"], Environment(("PORT", "8123"), ("API_ACCESS_TOKEN", "sk"), ("DATA_DIR", scenario.Directory)));

        Assert.Equal("http://127.0.0.1:0", app.Configuration["urls"]);
    }

    [Fact]
    public async Task Main_BadConfiguration_ExitsWithCodeTwo()
    {
        Assert.Equal(2, await Program.Main(["--REQUEST_TIMEOUT=-5"]));
    }

    [Fact]
    public void Report_WritesOneLineAndReturnsTwo()
    {
        var error = new StringWriter();

        var code = ConfigErrorReporter.Report(new ConfigException("PORT", "PORT: must be a port number from 1 to 65535 (got \"0\")"), error);

        Assert.Equal(2, code);
        Assert.Equal("configuration error: PORT: must be a port number from 1 to 65535 (got \"0\")" + System.Environment.NewLine, error.ToString());
    }
}
