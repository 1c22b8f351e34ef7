using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace OnDemandGateway.Bench.StreamClient;

/// <summary>Runs <see cref="LoadOptions.Connections"/> workers, each with one request in flight at a time, and
/// keeps the samples of requests that finished inside the measured window.</summary>
internal sealed class LoadRunner(LoadOptions options)
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private readonly byte[] _body = Encoding.UTF8.GetBytes(
        $$"""{"model":"{{options.Model}}","messages":[{"role":"user","content":"Say hello to the benchmark in a few words."}],"stream":{{(options.Stream ? "true" : "false")}}}""");
    private long _errors;
    private long _missingDone;
    private string? _firstError;

    public async Task<LoadReport> RunAsync()
    {
        using var http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = options.Connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            UseProxy = false,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
            DefaultRequestVersion = HttpVersion.Version11,
        };
        var startedAt = Stopwatch.GetTimestamp();
        var measureFrom = startedAt + Ticks(options.Warmup);
        var endAt = measureFrom + Ticks(options.Duration);
        // In-flight requests get this long past the end to finish, so a stuck stream cannot hang the run.
        using var hardStop = new CancellationTokenSource(options.Warmup + options.Duration + TimeSpan.FromSeconds(30));
        var workers = new Task<List<Sample>>[options.Connections];
        for (var i = 0; i < workers.Length; i++)
        {
            var index = i;
            workers[i] = Task.Run(() => WorkerAsync(http, index, startedAt, measureFrom, endAt, hardStop.Token));
        }
        var samples = new List<Sample>();
        foreach (var worker in workers) samples.AddRange(await worker);
        return new LoadReport(options, samples, Interlocked.Read(ref _errors), Interlocked.Read(ref _missingDone), _firstError);
    }

    private async Task<List<Sample>> WorkerAsync(HttpClient http, int index, long startedAt, long measureFrom, long endAt, CancellationToken hardStop)
    {
        var samples = new List<Sample>(1024);
        using var scanner = new SseScanner();
        var drain = new byte[16 * 1024];
        // Open loop: each worker owns every Connections-th slot of the global schedule.
        var interval = options.Rate > 0 ? (long)(Stopwatch.Frequency * options.Connections / options.Rate) : 0;
        var next = startedAt + (interval == 0 ? 0 : interval * index / options.Connections);
        while (!hardStop.IsCancellationRequested)
        {
            var now = Stopwatch.GetTimestamp();
            if (now >= endAt) break;
            if (interval > 0)
            {
                if (next > now)
                {
                    var wait = TimeSpan.FromSeconds((double)(next - now) / Stopwatch.Frequency);
                    if (wait > TimeSpan.FromMilliseconds(1)) await Task.Delay(wait, hardStop);
                }
                next = Math.Max(next + interval, Stopwatch.GetTimestamp() - interval);
            }
            var begin = Stopwatch.GetTimestamp();
            try
            {
                var sample = await OneAsync(http, scanner, drain, begin, hardStop);
                if (sample is { } ok && begin + ok.Total >= measureFrom && begin + ok.Total <= endAt) samples.Add(ok);
            }
            catch (Exception e) when (!hardStop.IsCancellationRequested)
            {
                Fail(e.GetType().Name + ": " + e.Message);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        return samples;
    }

    private async Task<Sample?> OneAsync(HttpClient http, SseScanner scanner, byte[] drain, long begin, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, options.Url) { Content = new ByteArrayContent(_body) };
        request.Content.Headers.ContentType = Json;
        if (options.Token is not null) request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + options.Token);
        foreach (var (name, value) in options.Headers) request.Headers.TryAddWithoutValidation(name, value);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        var firstByte = Stopwatch.GetTimestamp() - begin;
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            var text = await new StreamReader(body).ReadToEndAsync(cancellationToken);
            Fail($"HTTP {(int)response.StatusCode}: {text[..Math.Min(text.Length, 200)]}");
            return null;
        }
        if (!options.Stream)
        {
            var total = 0;
            int read;
            while ((read = await body.ReadAsync(drain, cancellationToken)) > 0) total += read;
            if (total == 0)
            {
                Fail("empty body");
                return null;
            }
            var elapsed = Stopwatch.GetTimestamp() - begin;
            return new Sample(firstByte, elapsed, elapsed, 1);
        }
        var (firstToken, events, sawDone, error) = await scanner.ReadAsync(body, begin, cancellationToken);
        var all = Stopwatch.GetTimestamp() - begin;
        if (error is not null)
        {
            Fail(error);
            return null;
        }
        if (!sawDone)
        {
            Interlocked.Increment(ref _missingDone);
            Fail("stream ended without [DONE]");
            return null;
        }
        return new Sample(firstByte, firstToken, all, events);
    }

    private void Fail(string message)
    {
        Interlocked.Increment(ref _errors);
        Interlocked.CompareExchange(ref _firstError, message, null);
    }

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);
}
