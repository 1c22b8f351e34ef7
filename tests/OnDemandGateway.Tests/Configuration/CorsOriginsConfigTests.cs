namespace OnDemandGateway.Tests.Configuration;

/// <summary><c>cors_origins</c> / <c>CORS_ORIGINS</c>: any origin by default, a list, or off; a value that is not
/// an origin stops start-up naming the key.</summary>
public sealed class CorsOriginsConfigTests
{
    [Fact]
    public void Load_Default_IsAnyOrigin()
    {
        using var scenario = new ConfigScenario();

        Assert.Equal(["*"], scenario.Load().Options.CorsOrigins);
    }

    [Fact]
    public void Load_Origins_FromFileAndEnvironment()
    {
        using var scenario = new ConfigScenario().WithFile("""{"cors_origins": ["https://chat.example.com", "chrome-extension://abcdef"]}""");

        Assert.Equal(["https://chat.example.com", "chrome-extension://abcdef"], scenario.Load().Options.CorsOrigins);
        Assert.Equal(["http://localhost:3000", "https://app.example"],
            scenario.Load(("CORS_ORIGINS", "http://localhost:3000, https://app.example/")).Options.CorsOrigins);
    }

    [Theory]
    [InlineData("""{"cors_origins": ""}""")]
    [InlineData("""{"cors_origins": "none"}""")]
    [InlineData("""{"cors_origins": []}""")]
    public void Load_EmptyOrNoneInFile_TurnsCorsOff(string json)
    {
        using var scenario = new ConfigScenario().WithFile(json);

        Assert.Empty(scenario.Load().Options.CorsOrigins);
    }

    [Fact]
    public void Load_NoneInEnvironment_TurnsCorsOff()
    {
        using var scenario = new ConfigScenario();

        Assert.Empty(scenario.Load(("CORS_ORIGINS", "none")).Options.CorsOrigins);
    }

    [Theory]
    [InlineData("https://app.example/chat")]
    [InlineData("app.example")]
    [InlineData("https://*.example.com")]
    [InlineData("https://user@app.example")]
    [InlineData("https://app.example?x=1")]
    public void Load_NotAnOrigin_StopsStartUpNamingTheKey(string value)
    {
        using var scenario = new ConfigScenario();

        var error = scenario.LoadFails(("CORS_ORIGINS", value));

        Assert.Equal("CORS_ORIGINS", error.Key);
        Assert.Equal($"CORS_ORIGINS: must be \"*\", \"none\" or origins, comma-separated (such as https://chat.example.com, http://localhost:3000) (got \"{value}\")", error.Message);
    }

    [Fact]
    public void Load_StarWithOthers_StopsStartUp()
    {
        using var scenario = new ConfigScenario().WithFile("""{"cors_origins": "*, https://app.example"}""");

        var error = scenario.LoadFails();

        Assert.Equal("cors_origins", error.Key);
        Assert.EndsWith("\"*\" already allows every origin", error.Message);
    }
}
