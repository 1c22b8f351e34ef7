using System.Runtime.InteropServices;
using System.Text;

namespace OnDemandGateway.Runtime;

/// <summary>
/// Two runtime settings the gateway's request path measurably gains from (bench/README.md), applied at start-up
/// unless the operator chose otherwise (the variable already set) or turned tuning off (<c>ODG_RUNTIME_TUNING=0</c>).
/// <para><b>Socket completions inline</b> (<c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c>): socket
/// continuations run on the thread that polled them instead of being handed to a thread-pool thread, about two
/// fewer context switches per proxied request. Read by the socket layer when it first starts, so setting it in
/// the process before the first socket is enough. Nothing on the gateway's request path blocks a thread.</para>
/// <para><b>Tiering delay</b>: lets the JIT reach its optimised, profile-guided code while the gateway is under load. The runtime promotes a
/// method to optimised code only after a quiet spell with no new methods being compiled (100 ms, ten times that
/// when the process may use one CPU); a busy gateway keeps compiling new methods for a long while, so on one core it
/// stayed on unoptimised code for minutes (bench/README.md: 280–390 µs of CPU per request after 40 s, against
/// ~200 µs with the delay at 0 after 20 s and ~400 µs with tiering off). The delay can only be set from the
/// environment, before the runtime starts, so on Linux the gateway replaces its own process image once
/// (<c>execve</c>: same process id, same open files) with <c>DOTNET_TC_CallCountingDelayMs=1</c> added: 1 ms (10 ms
/// on one CPU) rather than 0, which promoted every method start-up happened to call 30 times as well (start-up to
/// /health 1.0–1.3 s and idle RSS 88–89 MB with 0; 0.73–0.80 s and 85–86 MB with 1; the same CPU per request after
/// ~15 s under load, bench/README.md).
/// The restart is skipped when the variable is already set (by the operator or by the first start).</para>
/// <para><b>Gen0 budget</b>: the same restart sets <c>DOTNET_GCgen0size=0x1000000</c> (16 MB; environment only)
/// unless the operator set it. The runtime sizes gen0 from the CPU cache, which on large-cache servers lets the
/// gateway's short-lived garbage pile up to tens of MB before a collection: measured 195 → 164 MB peak RSS under
/// load with no change in CPU per request (8 MB cost 5 % more CPU).</para>
/// </summary>
internal static partial class RuntimeTuning
{
    public const string DelayVariable = "DOTNET_TC_CallCountingDelayMs";
    public const string Delay = "1";
    public const string InlineCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
    public const string Gen0SizeVariable = "DOTNET_GCgen0size";
    public const string OptOutVariable = "ODG_RUNTIME_TUNING";

    /// <summary>Called first thing in Main, before any socket exists. Returns only when no restart was needed or
    /// the restart failed (the gateway then runs with the runtime's default tiering).</summary>
    public static void Apply()
    {
        // Only as the process's own program: a host that calls Main (a test runner) keeps its process as it is.
        if (System.Reflection.Assembly.GetEntryAssembly() != typeof(RuntimeTuning).Assembly) return;
        if (Environment.GetEnvironmentVariable(OptOutVariable) == "0") return;
        if (Environment.GetEnvironmentVariable(InlineCompletionsVariable) is null)
            Environment.SetEnvironmentVariable(InlineCompletionsVariable, "1");
        RestartWithTieringDelayIfNeeded();
    }

    private static void RestartWithTieringDelayIfNeeded()
    {
        if (!NeedsRestart(Environment.GetEnvironmentVariable)) return;
        if (Environment.ProcessPath is not { } path) return;
        string[] arguments;
        try
        {
            arguments = ReadCommandLine(File.ReadAllBytes("/proc/self/cmdline"));
        }
        catch (IOException)
        {
            return;
        }
        catch (UnauthorizedAccessException)
        {
            return;
        }
        if (arguments.Length == 0) return;
        var environment = new List<string?>();
        foreach (System.Collections.DictionaryEntry variable in Environment.GetEnvironmentVariables())
            environment.Add($"{variable.Key}={variable.Value}");
        environment.Add(DelayVariable + "=" + Delay); // the inline-completions choice above is in the list already
        if (Environment.GetEnvironmentVariable(Gen0SizeVariable) is null) environment.Add(Gen0SizeVariable + "=0x1000000");
        environment.Add(null);
        RemoveDiagnosticsSocket();
        execve(path, [.. arguments, null], [.. environment]);
        // Only reached when execve failed: carry on untuned.
    }

    /// <summary>The runtime listens for diagnostic tools (dotnet-counters, -trace, -gcdump, -dump) on a socket
    /// file named after the process id and start time, both of which survive <c>execve</c>. The runtime that
    /// replaces this one cannot bind that name while the file is there, so without this every tool would fail to
    /// connect to the gateway (and each start left a dead socket file in the temporary folder).</summary>
    private static void RemoveDiagnosticsSocket()
    {
        try
        {
            foreach (var socket in Directory.EnumerateFiles(Path.GetTempPath(), $"dotnet-diagnostic-{Environment.ProcessId}-*-socket"))
                File.Delete(socket);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: the gateway runs the same without its diagnostics port.
        }
    }

    /// <summary>Linux only, and only when neither the operator nor an earlier start chose the delay.</summary>
    internal static bool NeedsRestart(Func<string, string?> variable) =>
        OperatingSystem.IsLinux()
        && variable(DelayVariable) is null
        && variable("COMPlus_TC_CallCountingDelayMs") is null
        && variable(OptOutVariable) != "0";

    /// <summary><c>/proc/self/cmdline</c>: the arguments as the process received them, each NUL-terminated.</summary>
    internal static string[] ReadCommandLine(ReadOnlySpan<byte> raw)
    {
        var arguments = new List<string>();
        while (!raw.IsEmpty)
        {
            var end = raw.IndexOf((byte)0);
            if (end < 0) end = raw.Length;
            arguments.Add(Encoding.UTF8.GetString(raw[..end]));
            raw = end < raw.Length ? raw[(end + 1)..] : [];
        }
        return [.. arguments];
    }

#pragma warning disable SYSLIB1054 // LibraryImport cannot marshal string[]; this runs once, before anything else.
    [DllImport("libc", SetLastError = true)]
    private static extern int execve(string path, string?[] argv, string?[] envp);
#pragma warning restore SYSLIB1054
}
