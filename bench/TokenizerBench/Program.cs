// Tokenizer throughput: ours (CountTokens with and without its piece cache, Encode; one thread) against tiktoken's wasm build on the same 1 MiB text.
// Usage: TokenizerBench [--text FILE] [--node DIR_WITH_bench.mjs] [--runs N]   (bench/tokenizer.sh runs it)
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using OnDemandGateway.Bench;
using OnDemandGateway.Tokenization;

var textFile = Option("--text") ?? Path.Combine(Path.GetTempPath(), "tokenizer-bench-1mib.txt");
var nodeDir = Option("--node");
var runs = int.Parse(Option("--runs") ?? "11", CultureInfo.InvariantCulture);

var text = MixedScriptCorpus.Generate(1 << 20);
File.WriteAllText(textFile, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
var megabytes = Encoding.UTF8.GetByteCount(text) / 1e6;
Console.WriteLine($"Text: {megabytes * 1e6:N0} UTF-8 bytes, {text.Length:N0} chars, {runs} timed runs (median), {Environment.ProcessorCount} cores");
Console.WriteLine();

var encodings = new[] { TiktokenEncoding.O200kBase, TiktokenEncoding.Cl100kBase };
Console.WriteLine("| encoding | first load (cold, incl. JIT) | reload (warm, median of 5) | rank table | pair table |");
Console.WriteLine("|---|---:|---:|---:|---:|");
foreach (var encoding in encodings)
{
    var cold = Time(encoding.WarmUp);
    var warm = Median(Enumerable.Range(0, 5).Select(_ => Time(() => BpeRankData.Load(encoding.Name))));
    Console.WriteLine($"| {encoding.Name} | {cold * 1000:F0} ms | {warm * 1000:F0} ms | {encoding.Ranks.TableBytes / 1e6:F1} MB | {encoding.Ranks.Pairs.Bytes / 1e6:F1} MB |");
}
Console.WriteLine();

var baseline = nodeDir is null ? [] : RunNode(nodeDir, textFile, runs);
// MB/s = 10^6 UTF-8 bytes per second of wall-clock time; "per CPU-s" divides by process CPU time instead,
// which is steadier when other work shares the cores. The ratios compare with tiktoken's encode_ordinary.
var modes = new (string Name, Func<TiktokenEncoding, string, int> Run)[]
{
    ("CountTokens", (e, t) => e.CountTokens(t)),
    ("CountTokens, no piece cache", (e, t) => e.CountTokensUncached(t)),
    ("Encode (ids)", (e, t) => e.Encode(t).Length),
};
// Warm-up: each call site must run often enough for tiered JIT to reach its optimised tier, as it is in the
// gateway, which counts every request; one long call would only ever run on-stack-replaced code. All of it
// first, so that no mode is timed while the JIT is still recompiling code another mode shares.
foreach (var encoding in encodings)
{
    foreach (var (_, run) in modes)
    {
        for (var i = 0; i < 200; i++)
        {
            run(encoding, text.Substring((i * 4096) % (text.Length - 8192), 8192));
        }
        run(encoding, text);
    }
}
Console.WriteLine("| encoding | ours | tokens (ours) | tokens (tiktoken) | ours MB/s | tiktoken MB/s | ours / tiktoken | ours MB per CPU-s | tiktoken MB per CPU-s | ours / tiktoken (CPU) |");
Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
var mismatch = false;
foreach (var encoding in encodings)
{
    foreach (var (mode, run) in modes)
    {
        var tokens = run(encoding, text);
        var samples = Enumerable.Range(0, runs).Select(_ => TimeWithCpu(() => run(encoding, text))).ToArray();
        var ours = megabytes / Median(samples.Select(s => s.Wall));
        var oursCpu = megabytes / Median(samples.Select(s => s.Cpu));
        if (baseline.TryGetValue(encoding.Name, out var theirs))
        {
            var same = theirs.Tokens == tokens;
            mismatch |= !same;
            var rate = megabytes / theirs.Seconds;
            var rateCpu = megabytes / theirs.CpuSeconds;
            Console.WriteLine($"| {encoding.Name} | {mode} | {tokens:N0} | {theirs.Tokens:N0}{(same ? "" : " (DIFFERS)")} | {ours:F1} | {rate:F1} | {ours / rate:F2}× | {oursCpu:F1} | {rateCpu:F1} | {oursCpu / rateCpu:F2}× |");
        }
        else
        {
            Console.WriteLine($"| {encoding.Name} | {mode} | {tokens:N0} | n/a | {ours:F1} | n/a | n/a | {oursCpu:F1} | n/a | n/a |");
        }
    }
}
Console.WriteLine();
Console.WriteLine("CountTokens is what the gateway calls; its piece cache is warm after the first pass, as in a running gateway.");
Console.WriteLine(baseline.Count == 0 ? "Baseline: not run (no --node)." : mismatch ? "Token counts DIFFER from tiktoken." : "Token counts match tiktoken.");
return mismatch ? 1 : 0;

string? Option(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

static double Time(Action action)
{
    var clock = Stopwatch.StartNew();
    action();
    return clock.Elapsed.TotalSeconds;
}

static (double Wall, double Cpu) TimeWithCpu(Action action)
{
    using var self = Process.GetCurrentProcess();
    var cpu = self.TotalProcessorTime;
    var clock = Stopwatch.StartNew();
    action();
    clock.Stop();
    self.Refresh();
    return (clock.Elapsed.TotalSeconds, (self.TotalProcessorTime - cpu).TotalSeconds);
}

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted[sorted.Length / 2];
}

static Dictionary<string, (int Tokens, double Seconds, double CpuSeconds)> RunNode(string dir, string textFile, int runs)
{
    var start = new ProcessStartInfo("node") { WorkingDirectory = dir, RedirectStandardOutput = true };
    foreach (var arg in new[] { "bench.mjs", textFile, runs.ToString(CultureInfo.InvariantCulture) })
    {
        start.ArgumentList.Add(arg);
    }
    using var node = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
    var output = node.StandardOutput.ReadToEnd();
    node.WaitForExit();
    if (node.ExitCode != 0)
    {
        throw new InvalidOperationException($"node exited with {node.ExitCode}");
    }
    return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Select(line => JsonDocument.Parse(line).RootElement)
        .ToDictionary(
            e => e.GetProperty("name").GetString()!,
            e => (e.GetProperty("tokens").GetInt32(), e.GetProperty("seconds").GetDouble(), e.GetProperty("cpuSeconds").GetDouble()));
}
