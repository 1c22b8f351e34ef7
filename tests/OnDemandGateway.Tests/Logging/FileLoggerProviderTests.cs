using Microsoft.Extensions.Logging;
using OnDemandGateway.Configuration;
using OnDemandGateway.Logging;

namespace OnDemandGateway.Tests.Logging;

public sealed class FileLoggerProviderTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("odg-log-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static LogLineFormatter Formatter() =>
        new(LogLineFormat.Parse("%(levelname)s %(name)s %(message)s"), new FixedTimeProvider(DateTimeOffset.UnixEpoch));

    [Fact]
    public async Task Log_FromManyThreads_WritesEveryLineOnDispose()
    {
        var path = Path.Combine(_directory, "logs", "gateway.log");
        using (var provider = new FileLoggerProvider(path, Formatter()))
        {
            var logger = provider.CreateLogger("Test");
            await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(() =>
            {
                for (var i = 0; i < 250; i++) logger.LogInformation("thread {Thread} line {Line}", t, i);
            })));
        }

        var lines = File.ReadAllLines(path);
        Assert.Equal(1000, lines.Length);
        Assert.Equal(1000, lines.Distinct().Count());
        Assert.All(lines, line => Assert.Matches("^INFO Test thread [0-3] line [0-9]+$", line));
    }

    [Fact]
    public void Log_ExistingFile_AppendsInsteadOfTruncating()
    {
        var path = Path.Combine(_directory, "gateway.log");
        File.WriteAllText(path, "earlier line\n");

        using (var provider = new FileLoggerProvider(path, Formatter()))
            provider.CreateLogger("Test").LogWarning("later line");

        Assert.Equal(["earlier line", "WARNING Test later line"], File.ReadAllLines(path));
    }

    [Fact]
    public void Log_MaskedSecret_NeverWritesTheSecret()
    {
        const string secret = "sk-live-0123456789abcdefwxyz";
        var path = Path.Combine(_directory, "gateway.log");

        using (var provider = new FileLoggerProvider(path, Formatter()))
            provider.CreateLogger("Accounts").LogInformation("using upstream key {Key}", Secrets.Mask(secret));

        var line = Assert.Single(File.ReadAllLines(path));
        Assert.Equal("INFO Accounts using upstream key sk-l…wxyz", line);
        Assert.DoesNotContain(secret, line, StringComparison.Ordinal);
    }
}
