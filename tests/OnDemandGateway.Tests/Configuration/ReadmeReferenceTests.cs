using OnDemandGateway.Configuration;

namespace OnDemandGateway.Tests.Configuration;

/// <summary>The README's configuration reference has a row for every key the gateway reads.</summary>
public sealed class ReadmeReferenceTests
{
    [Fact]
    public void Readme_EveryConfigKey_HasARowNamingFileKeyAndVariable()
    {
        var rows = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Configuration", "README.md"))
            .Where(line => line.StartsWith("| `", StringComparison.Ordinal))
            .ToList();

        Assert.All(ConfigSettings.All, setting =>
            Assert.Contains(rows, row => row.StartsWith($"| `{setting.FileKey}` | `{setting.EnvKey}` |", StringComparison.Ordinal)));
    }
}
