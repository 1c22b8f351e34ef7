using System.Diagnostics;

namespace OnDemandGateway.Tokenization;

/// <summary>Loads both rank tables in the background at start-up, so the first request does not pay for it
/// (o200k_base takes a few hundred milliseconds on a busy two-core machine). Start-up does not wait for it.</summary>
internal sealed partial class TokenizerWarmup(ILogger<TokenizerWarmup> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.Run(() =>
    {
        foreach (var encoding in new[] { TiktokenEncoding.O200kBase, TiktokenEncoding.Cl100kBase })
        {
            if (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            try
            {
                var clock = Stopwatch.StartNew();
                encoding.WarmUp();
                LogLoaded(encoding.Name, clock.ElapsedMilliseconds);
            }
            catch (Exception ex)
            {
                // Lazy keeps the exception, so counting fails the same way on first use; start-up carries on.
                LogFailed(ex, encoding.Name);
            }
        }
    }, CancellationToken.None);

    [LoggerMessage(Level = LogLevel.Information, Message = "Tokenizer {Encoding} loaded in {ElapsedMs} ms")]
    private partial void LogLoaded(string encoding, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "Tokenizer {Encoding} failed to load")]
    private partial void LogFailed(Exception exception, string encoding);
}
