using Microsoft.Extensions.Logging;
using OnDemandGateway.Tokenization;

namespace OnDemandGateway.Tests.Tokenization;

public sealed class TokenizerWarmupTests
{
    [Fact]
    public async Task StartAsync_BothEncodings_LoadedAndLogged()
    {
        var logger = new ListLogger();
        using var warmup = new TokenizerWarmup(logger);

        await warmup.StartAsync(CancellationToken.None);
        await warmup.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, logger.Messages.Count(m => m.Contains("loaded", StringComparison.Ordinal)));
        Assert.Contains(logger.Messages, m => m.Contains("o200k_base", StringComparison.Ordinal));
        Assert.Contains(logger.Messages, m => m.Contains("cl100k_base", StringComparison.Ordinal));
        Assert.True(TiktokenEncoding.O200kBase.IsLoaded);
        Assert.True(TiktokenEncoding.Cl100kBase.IsLoaded);
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
