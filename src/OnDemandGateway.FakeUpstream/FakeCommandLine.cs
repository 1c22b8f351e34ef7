using System.Globalization;

namespace OnDemandGateway.FakeUpstream;

/// <summary>The fake's command line, parsed into options plus the credentials to register.</summary>
internal sealed record FakeCommandLine(FakeOnDemandOptions Options, IReadOnlyList<string> ApiKeys, IReadOnlyList<(string Email, string Password)> Accounts)
{
    public const string Usage = """
        Usage: OnDemandGateway.FakeUpstream [options]
          --port N               TCP port on 127.0.0.1 (default 9100; 0 = any free port)
          --api-key KEY          accept this apikey (repeatable)
          --account EMAIL:PASS   accept this account at signin (repeatable)
          --accept-any           accept any non-empty apikey and any email + password
          --deltas N             fulfillment frames per answer (default 8)
          --delta-delay-ms N     wait before each delta, to pace streams (default 0)
          --answer-chars N       answer every unscripted query with N characters of fixed text (benchmarks)
          --heartbeat-ms N       heartbeat interval while a stream waits (default 3000; 0 = off)
          --session-status N     status of session creation: 200 or 201 (default 201)
          --refresh-omits-refresh-token
                                 refresh answers carry data.token only
          --openai-mode          also serve POST /v1/chat/completions (benchmark baseline)
          --quiet                no per-request logging
          --help                 show this text
        """;

    /// <returns>The parsed line, or null with <paramref name="error"/> set (null error = help was asked for).</returns>
    public static FakeCommandLine? Parse(IReadOnlyList<string> args, out string? error)
    {
        int port = 9100, deltas = 8, deltaDelayMs = 0, answerChars = 0, heartbeatMs = 3000, sessionStatus = 201;
        bool acceptAny = false, quiet = false, openAi = false, omitRefresh = false;
        var keys = new List<string>();
        var accounts = new List<(string, string)>();
        error = null;

        for (var i = 0; i < args.Count; i++)
        {
            var (name, inline) = SplitInline(args[i]);
            string? Value()
            {
                if (inline is not null)
                {
                    return inline;
                }

                return i + 1 < args.Count ? args[++i] : null;
            }

            switch (name)
            {
                case "--help" or "-h":
                    return null;
                case "--accept-any":
                    acceptAny = true;
                    break;
                case "--quiet":
                    quiet = true;
                    break;
                case "--openai-mode":
                    openAi = true;
                    break;
                case "--refresh-omits-refresh-token":
                    omitRefresh = true;
                    break;
                case "--api-key":
                    var key = Value();
                    if (string.IsNullOrEmpty(key))
                    {
                        error = "--api-key needs a non-empty value.";
                        return null;
                    }

                    keys.Add(key);
                    break;
                case "--account":
                    var account = Value();
                    var colon = account?.IndexOf(':') ?? -1;
                    if (account is null || colon <= 0 || colon == account.Length - 1)
                    {
                        error = "--account needs EMAIL:PASSWORD.";
                        return null;
                    }

                    accounts.Add((account[..colon], account[(colon + 1)..]));
                    break;
                case "--port":
                    if (!Int(name, Value(), 0, 65535, out port, out error)) return null;
                    break;
                case "--deltas":
                    if (!Int(name, Value(), 1, 10_000, out deltas, out error)) return null;
                    break;
                case "--delta-delay-ms":
                    if (!Int(name, Value(), 0, 600_000, out deltaDelayMs, out error)) return null;
                    break;
                case "--answer-chars":
                    if (!Int(name, Value(), 1, 1_000_000, out answerChars, out error)) return null;
                    break;
                case "--heartbeat-ms":
                    if (!Int(name, Value(), 0, 600_000, out heartbeatMs, out error)) return null;
                    break;
                case "--session-status":
                    if (!Int(name, Value(), 200, 201, out sessionStatus, out error)) return null;
                    break;
                default:
                    error = $"Unknown argument '{args[i]}'.";
                    return null;
            }
        }

        var options = new FakeOnDemandOptions
        {
            Port = port,
            AcceptAnyCredential = acceptAny,
            StreamDeltas = deltas,
            DeltaDelay = TimeSpan.FromMilliseconds(deltaDelayMs),
            AnswerText = answerChars == 0 ? null : BenchmarkText(answerChars),
            HeartbeatInterval = heartbeatMs == 0 ? null : TimeSpan.FromMilliseconds(heartbeatMs),
            SessionCreatedStatus = sessionStatus,
            RefreshOmitsRefreshToken = omitRefresh,
            OpenAiMode = openAi,
            Quiet = quiet,
            // Nobody can read recorded calls from outside the process; recording would only grow memory.
            RecordCalls = false,
        };
        return new FakeCommandLine(options, keys, accounts);
    }

    /// <summary>Deterministic prose of exactly <paramref name="length"/> characters.</summary>
    internal static string BenchmarkText(int length)
    {
        const string Source = "The quick brown fox jumps over the lazy dog while the gateway relays every token. ";
        var text = new System.Text.StringBuilder(length + Source.Length);
        while (text.Length < length)
        {
            text.Append(Source);
        }

        return text.ToString(0, length);
    }

    private static (string Name, string? Inline) SplitInline(string arg)
    {
        var eq = arg.StartsWith("--", StringComparison.Ordinal) ? arg.IndexOf('=') : -1;
        return eq > 0 ? (arg[..eq], arg[(eq + 1)..]) : (arg, null);
    }

    private static bool Int(string name, string? text, int min, int max, out int value, out string? error)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max)
        {
            error = null;
            return true;
        }

        error = $"{name} needs a whole number from {min} to {max} (got '{text ?? "nothing"}').";
        return false;
    }
}
