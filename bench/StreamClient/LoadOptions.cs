using System.Globalization;

namespace OnDemandGateway.Bench.StreamClient;

/// <summary>What one load run does: where, how many connections, how long, streaming or not, open or closed loop.</summary>
internal sealed record LoadOptions
{
    public const string Usage = """
        Usage: StreamClient --url URL [options]
          --url URL            POST target, e.g. http://127.0.0.1:7860/v1/chat/completions
          --token T            sent as 'Authorization: Bearer T' (optional)
          --connections N      concurrent connections, one request at a time each (default 32)
          --duration S         measured seconds (default 10)
          --warmup S           seconds run first and not measured (default 2)
          --stream             ask for SSE ("stream": true) and check every stream ends with [DONE]
          --rate R             total requests per second, spread over the connections (default 0 = as fast as possible)
          --model M            model name in the body (default gpt-4o)
          --label L            name printed with the result
          --header "N: V"      extra request header (repeatable)
        Prints one JSON line with the figures on stdout and a readable summary on stderr.
        """;

    public required Uri Url { get; init; }
    public string? Token { get; init; }
    public int Connections { get; init; } = 32;
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(2);
    public bool Stream { get; init; }
    public double Rate { get; init; }
    public string Model { get; init; } = "gpt-4o";
    public string Label { get; init; } = "run";
    public IReadOnlyList<(string Name, string Value)> Headers { get; init; } = [];

    public static LoadOptions? Parse(string[] args, out string? error)
    {
        error = null;
        Uri? url = null;
        var o = new LoadOptions { Url = new Uri("http://127.0.0.1/") };
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new FormatException($"{args[i]} needs a value");
            try
            {
                switch (args[i])
                {
                    case "--url": url = new Uri(Next()); break;
                    case "--token": o = o with { Token = Next() }; break;
                    case "--connections": o = o with { Connections = Math.Max(1, int.Parse(Next(), CultureInfo.InvariantCulture)) }; break;
                    case "--duration": o = o with { Duration = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)) }; break;
                    case "--warmup": o = o with { Warmup = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)) }; break;
                    case "--stream": o = o with { Stream = true }; break;
                    case "--rate": o = o with { Rate = double.Parse(Next(), CultureInfo.InvariantCulture) }; break;
                    case "--model": o = o with { Model = Next() }; break;
                    case "--label": o = o with { Label = Next() }; break;
                    case "--header":
                        var header = Next();
                        var colon = header.IndexOf(':');
                        if (colon <= 0) throw new FormatException($"--header needs 'Name: value' (got '{header}')");
                        o = o with { Headers = [.. o.Headers, (header[..colon].Trim(), header[(colon + 1)..].Trim())] };
                        break;
                    case "--help" or "-h": return null;
                    default: throw new FormatException($"unknown argument '{args[i]}'");
                }
            }
            catch (FormatException e)
            {
                error = e.Message;
                return null;
            }
        }
        if (url is null)
        {
            error = "--url is required";
            return null;
        }
        return o with { Url = url };
    }
}
