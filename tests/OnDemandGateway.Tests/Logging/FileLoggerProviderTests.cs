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

    [Fact]
    public void Log_PastTheSizeLimit_RotatesKeepingTheNewestLinesInOrder()
    {
        var path = Path.Combine(_directory, "gateway.log");
        using (var provider = new FileLoggerProvider(path, Formatter(), maxBytes: 1000, backups: 3))
        {
            var logger = provider.CreateLogger("Test");
            for (var i = 0; i < 300; i++) logger.LogInformation("line {Line:000}", i);
        }

        // Lines of 19 bytes ("INFO Test line 000\n"): 52 fit in 1,000 bytes, so 300 lines make five full files and
        // a current one of 40; the current file and three backups are kept. Oldest first: path.3, path.2, path.1, path.
        const int perFile = 1000 / 19;
        var files = new[] { path + ".3", path + ".2", path + ".1", path };
        Assert.All(files, file => Assert.True(File.Exists(file), file));
        Assert.False(File.Exists(path + ".4"));
        Assert.Equal([perFile, perFile, perFile, 300 % perFile], files.Select(file => File.ReadAllLines(file).Length));
        var kept = files.SelectMany(File.ReadAllLines).ToArray();
        var first = 300 - 3 * perFile - 300 % perFile;
        Assert.Equal(Enumerable.Range(first, 300 - first).Select(i => $"INFO Test line {i:000}"), kept);
    }

    [Fact]
    public void Log_ExistingFileNearTheLimit_RotatesBeforeTheLineThatWouldPassIt()
    {
        var path = Path.Combine(_directory, "gateway.log");
        File.WriteAllText(path, new string('x', 990) + "\n");

        using (var provider = new FileLoggerProvider(path, Formatter(), maxBytes: 1000, backups: 1))
            provider.CreateLogger("Test").LogWarning("the next line");

        Assert.Equal([new string('x', 990)], File.ReadAllLines(path + ".1"));
        Assert.Equal(["WARNING Test the next line"], File.ReadAllLines(path));
    }

    [Fact]
    public void Log_WithoutALimit_NeverRotates()
    {
        var path = Path.Combine(_directory, "gateway.log");
        using (var provider = new FileLoggerProvider(path, Formatter(), maxBytes: 0))
        {
            var logger = provider.CreateLogger("Test");
            for (var i = 0; i < 500; i++) logger.LogInformation("line {Line:000}", i);
        }

        Assert.Equal(500, File.ReadAllLines(path).Length);
        Assert.False(File.Exists(path + ".1"));
    }
}
