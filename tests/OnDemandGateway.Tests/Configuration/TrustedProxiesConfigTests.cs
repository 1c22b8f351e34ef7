using System.Net;

namespace OnDemandGateway.Tests.Configuration;

/// <summary><c>trusted_proxies</c> / <c>TRUSTED_PROXIES</c>: read at start-up, and a value that is not an address
/// or range stops start-up naming the key.</summary>
public sealed class TrustedProxiesConfigTests
{
    private static string[] Text(IEnumerable<IPNetwork> networks) => networks.Select(n => n.ToString()).ToArray();

    [Fact]
    public void Load_Default_IsLoopbackOnly()
    {
        using var scenario = new ConfigScenario();

        Assert.Equal(["127.0.0.0/8", "::1/128"], Text(scenario.Load().Options.TrustedProxies));
    }

    [Fact]
    public void Load_AddressesAndRanges_FromEnvironmentAndFile()
    {
        using var scenario = new ConfigScenario().WithFile("""{"trusted_proxies": ["10.0.0.0/8", " 192.168.1.5 "]}""");

        Assert.Equal(["10.0.0.0/8", "192.168.1.5/32"], Text(scenario.Load().Options.TrustedProxies));
        Assert.Equal(["172.16.0.0/12", "fd00::/8", "::1/128", "10.0.0.0/8"],
            Text(scenario.Load(("TRUSTED_PROXIES", "172.16.0.0/12, fd00::/8,,::1, 10.1.2.3/8")).Options.TrustedProxies));
    }

    [Theory]
    [InlineData("""{"trusted_proxies": "none"}""")]
    [InlineData("""{"trusted_proxies": ""}""")]
    [InlineData("""{"trusted_proxies": []}""")]
    public void Load_NoneOrEmptyInFile_TrustsNoProxy(string json)
    {
        using var scenario = new ConfigScenario().WithFile(json);

        Assert.Empty(scenario.Load().Options.TrustedProxies);
    }

    [Fact]
    public void Load_NoneInEnvironment_TrustsNoProxy()
    {
        using var scenario = new ConfigScenario();

        Assert.Empty(scenario.Load(("TRUSTED_PROXIES", "NONE")).Options.TrustedProxies);
    }

    [Theory]
    [InlineData("10.0.0.300")]
    [InlineData("10")]
    [InlineData("010.0.0.1")]
    [InlineData("10.0.0.0/33")]
    [InlineData("proxy.internal")]
    [InlineData("127.0.0.1, none")]
    public void Load_BadEnvironmentValue_StopsStartUpNamingTheKey(string value)
    {
        using var scenario = new ConfigScenario();

        var error = scenario.LoadFails(("TRUSTED_PROXIES", value));

        Assert.Equal("TRUSTED_PROXIES", error.Key);
        Assert.StartsWith("TRUSTED_PROXIES: must be IP addresses or CIDR ranges, comma-separated (such as 127.0.0.1, 10.0.0.0/8), or \"none\" (got \"", error.Message);
    }

    [Theory]
    [InlineData("""{"trusted_proxies": "10.0.0.0/8, nginx"}""", """config.json: "trusted_proxies" must be IP addresses or CIDR ranges, comma-separated (such as 127.0.0.1, 10.0.0.0/8), or "none" (got "nginx")""")]
    [InlineData("""{"trusted_proxies": ["10.0.0.0/8", 7]}""", """config.json: "trusted_proxies"[1] must be a string (got 7)""")]
    [InlineData("""{"trusted_proxies": 7}""", """config.json: "trusted_proxies" must be IP addresses or CIDR ranges, comma-separated (such as 127.0.0.1, 10.0.0.0/8), or "none" (got 7)""")]
    public void Load_BadFileValue_StopsStartUpNamingTheKey(string json, string message)
    {
        using var scenario = new ConfigScenario().WithFile(json);

        var error = scenario.LoadFails();

        Assert.Equal("trusted_proxies", error.Key);
        Assert.Equal(message, error.Message);
    }
}
