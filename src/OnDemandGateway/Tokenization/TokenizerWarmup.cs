using System.Diagnostics;

namespace OnDemandGateway.Tokenization;

/// <summary>Loads the o200k_base rank table in the background at start-up, so the first request does not pay for
/// it (a few hundred milliseconds on a busy two-core machine). Start-up does not wait for it. o200k_base counts
/// every model except the gpt-4 / gpt-3.5 names (<see cref="TokenizerCatalog"/>); cl100k_base loads on its first
/// use instead, which keeps ~10 MB out of a gateway that never sees those names.
/// <para>Loading leaves several MB of parse buffers behind in the large-object heap; the first warm-up of a
/// process returns them to the system with one compacting collection, since an idle gateway would otherwise keep
/// them committed.</para></summary>
internal sealed partial class TokenizerWarmup(ILogger<TokenizerWarmup> logger) : BackgroundService
{
    /// <summary>The encodings loaded ahead of their first use.</summary>
    internal static IReadOnlyList<TiktokenEncoding> Eager { get; } = [TiktokenEncoding.O200kBase];

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.Run(() =>
    {
        var loaded = false;
        foreach (var encoding in Eager)
        {
            if (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            try
            {
                var clock = Stopwatch.StartNew();
                loaded |= !encoding.IsLoaded;
                encoding.WarmUp();
                LogLoaded(encoding.Name, clock.ElapsedMilliseconds);
            }
            catch (Exception ex)
            {
                // Lazy keeps the exception, so counting fails the same way on first use; start-up carries on.
                LogFailed(ex, encoding.Name);
            }
        }
        if (loaded)
        {
            GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }
    }, CancellationToken.None);

    [LoggerMessage(Level = LogLevel.Information, Message = "Tokenizer {Encoding} loaded in {ElapsedMs} ms")]
    private partial void LogLoaded(string encoding, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "Tokenizer {Encoding} failed to load")]
    private partial void LogFailed(Exception exception, string encoding);
}
