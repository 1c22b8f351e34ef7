using OnDemandGateway.Configuration;

namespace OnDemandGateway.Tests.Configuration;

public sealed class GeneratedClientTokenTests
{
    [Fact]
    public void LoadOrCreate_FirstStart_CreatesOwnerOnlyFileThenReusesIt()
    {
        using var scenario = new ConfigScenario();
        var dataDir = Path.Combine(scenario.Directory, "data", "nested");

        var (first, created) = GeneratedClientToken.LoadOrCreate(dataDir);
        var (second, createdAgain) = GeneratedClientToken.LoadOrCreate(dataDir);

        Assert.True(created);
        Assert.False(createdAgain);
        Assert.Equal(first, second);
        Assert.Matches("^odg-[A-Za-z0-9_-]{43}$", first);
        var path = Path.Combine(dataDir, "client_token");
        Assert.Equal(first, File.ReadAllText(path).Trim());
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Single(Directory.GetFiles(dataDir)); // no temporary file left behind
    }

    [Fact]
    public void LoadOrCreate_TwoDirectories_GetDifferentTokens()
    {
        using var scenario = new ConfigScenario();

        var a = GeneratedClientToken.LoadOrCreate(Path.Combine(scenario.Directory, "a")).Token;
        var b = GeneratedClientToken.LoadOrCreate(Path.Combine(scenario.Directory, "b")).Token;

        Assert.NotEqual(a, b);
    }

    [Fact]
    public void LoadOrCreate_EmptyTokenFile_IsReplaced()
    {
        using var scenario = new ConfigScenario();
        File.WriteAllText(Path.Combine(scenario.Directory, "client_token"), "\n");

        var (token, created) = GeneratedClientToken.LoadOrCreate(scenario.Directory);

        Assert.True(created);
        Assert.Equal(token, File.ReadAllText(Path.Combine(scenario.Directory, "client_token")).Trim());
    }
}
