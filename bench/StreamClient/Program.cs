namespace OnDemandGateway.Bench.StreamClient;

/// <summary>The benchmark's load client for what wrk cannot measure: SSE time to first byte and first token,
/// full-stream time, and that every stream ended with <c>[DONE]</c>; also non-stream and fixed-rate load (soak).</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var options = LoadOptions.Parse(args, out var error);
        if (options is null)
        {
            (error is null ? Console.Out : Console.Error).WriteLine(error is null ? LoadOptions.Usage : $"StreamClient: {error}\n{LoadOptions.Usage}");
            return error is null ? 0 : 2;
        }
        var report = await new LoadRunner(options).RunAsync();
        report.Write(Console.Out, Console.Error);
        // Failed requests or a run with nothing measured make the bench script say so instead of printing a number.
        return report.Errors > 0 || report.Requests == 0 ? 1 : 0;
    }
}
