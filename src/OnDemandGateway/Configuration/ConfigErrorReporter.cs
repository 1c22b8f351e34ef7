namespace OnDemandGateway.Configuration;

/// <summary>What <c>Program.Main</c> does with a <see cref="ConfigException"/>: one line on stderr, exit code 2,
/// no stack trace (the message already names the key).</summary>
public static class ConfigErrorReporter
{
    public const int ExitCode = 2;

    public static int Report(ConfigException exception, TextWriter? error = null)
    {
        (error ?? Console.Error).WriteLine($"configuration error: {exception.Message}");
        return ExitCode;
    }
}
