using Microsoft.Extensions.Logging;
using OnDemandGateway.Tokenization;

namespace OnDemandGateway.Tests.Tokenization;

public sealed class TokenizerWarmupTests
{
    [Fact]
    public async Task StartAsync_O200k_LoadedAndLogged_Cl100kLeftToFirstUse()
    {
        var logger = new ListLogger();
        using var warmup = new TokenizerWarmup(logger);

        await warmup.StartAsync(CancellationToken.None);
        await warmup.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(30));

        var loaded = Assert.Single(logger.Messages, m => m.Contains("loaded", StringComparison.Ordinal));
        Assert.Contains("o200k_base", loaded, StringComparison.Ordinal);
        Assert.DoesNotContain(logger.Messages, m => m.Contains("cl100k_base", StringComparison.Ordinal));
        Assert.True(TiktokenEncoding.O200kBase.IsLoaded);
        Assert.Equal([TiktokenEncoding.O200kBase], TokenizerWarmup.Eager);
    }

    private sealed class ListLogger : ILogger<TokenizerWarmup>
    {
        public List<string> Messages { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Messages)
            {
                Messages.Add(formatter(state, exception));
            }
        }
    }
}
