using Microsoft.Extensions.Configuration;
using OnDemandGateway.Configuration;

namespace OnDemandGateway.Tests.Configuration;

/// <summary>A private temp directory standing in for the gateway's working directory: a config.json written
/// there and env-style keys passed in memory, as ASP.NET Core would pass real environment variables.</summary>
internal sealed class ConfigScenario : IDisposable
{
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("odg-config-").FullName;

    public ConfigScenario WithFile(string json, string name = "config.json")
    {
        File.WriteAllText(Path.Combine(Directory, name), json);
        return this;
    }

    public ConfigLoadResult Load(params (string Key, string Value)[] environment) =>
        GatewayConfigLoader.Load(Configuration(environment), Directory);

    public ConfigException LoadFails(params (string Key, string Value)[] environment) =>
        Assert.Throws<ConfigException>(() => Load(environment));

    public static IConfiguration Configuration(params (string Key, string Value)[] environment) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(environment.Select(e => new KeyValuePair<string, string?>(e.Key, e.Value)))
            .Build();

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
