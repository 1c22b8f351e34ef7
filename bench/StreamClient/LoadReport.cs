using System.Diagnostics;
using System.Text.Json;

namespace OnDemandGateway.Bench.StreamClient;

/// <summary>The figures of one run: throughput, latency percentiles (first byte, first token, whole request)
/// and the failures, printed as one JSON line for the bench script and a summary for people.</summary>
internal sealed class LoadReport(LoadOptions options, List<Sample> samples, long errors, long missingDone, string? firstError)
{
    public long Requests => samples.Count;
    public long Errors => errors;

    public void Write(TextWriter json, TextWriter human)
    {
        var rps = samples.Count / options.Duration.TotalSeconds;
        long events = 0;
        foreach (var s in samples) events += s.ContentEvents;
        var ttfb = Percentiles(samples.Select(s => s.FirstByte));
        var ttft = Percentiles(samples.Select(s => s.FirstToken));
        var total = Percentiles(samples.Select(s => s.Total));

        using (var stream = new MemoryStream())
        {
            using (var w = new Utf8JsonWriter(stream))
            {
                w.WriteStartObject();
                w.WriteString("label", options.Label);
                w.WriteBoolean("stream", options.Stream);
                w.WriteNumber("connections", options.Connections);
                w.WriteNumber("duration_s", options.Duration.TotalSeconds);
                w.WriteNumber("requests", samples.Count);
                w.WriteNumber("errors", errors);
                w.WriteNumber("missing_done", missingDone);
                w.WriteNumber("rps", Math.Round(rps, 1));
                w.WriteNumber("content_events", events);
                Write(w, "ttfb", ttfb);
                Write(w, "ttft", ttft);
                Write(w, "total", total);
                if (firstError is not null) w.WriteString("first_error", firstError);
                w.WriteEndObject();
            }
            json.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
        }
        human.WriteLine($"{options.Label}: {samples.Count} ok, {errors} failed ({missingDone} without [DONE]), {rps:0.0}/s; " +
            $"first byte p50 {ttfb.P50:0.00} ms, first token p50 {ttft.P50:0.00} / p99 {ttft.P99:0.00} ms, total p50 {total.P50:0.00} / p99 {total.P99:0.00} ms" +
            (firstError is null ? "" : $"; first error: {firstError}"));
    }

    private static void Write(Utf8JsonWriter w, string name, (double P50, double P90, double P99, double Max) p)
    {
        w.WriteNumber(name + "_p50_ms", Math.Round(p.P50, 3));
        w.WriteNumber(name + "_p90_ms", Math.Round(p.P90, 3));
        w.WriteNumber(name + "_p99_ms", Math.Round(p.P99, 3));
        w.WriteNumber(name + "_max_ms", Math.Round(p.Max, 3));
    }

    private static (double P50, double P90, double P99, double Max) Percentiles(IEnumerable<long> ticks)
    {
        var sorted = ticks.ToArray();
        if (sorted.Length == 0) return (0, 0, 0, 0);
        Array.Sort(sorted);
        double At(double q) => Ms(sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)]);
        return (At(0.50), At(0.90), At(0.99), Ms(sorted[^1]));
    }

    private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}
