using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace OnDemandGateway.Tests.TestSupport;

/// <summary>
/// The PostgreSQL server the tests use: <c>ODG_TEST_POSTGRES</c> (set by scripts/test.sh), else a throwaway
/// cluster started once per test run the same way the script does (initdb -A trust into a temp folder,
/// 127.0.0.1 on a free port) and removed when the test process exits.
/// </summary>
internal static class PostgresServer
{
    public const string EnvironmentVariable = "ODG_TEST_POSTGRES";
    private static readonly Lazy<Task<string>> Server = new(StartAsync);

    public static Task<string> ConnectionStringAsync() => Server.Value;

    private static async Task<string> StartAsync()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment)) return fromEnvironment;

        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderByDescending(d => d, StringComparer.Ordinal).FirstOrDefault()
            : null;
        if (bin is null)
            throw new InvalidOperationException(
                $"PostgreSQL is not installed and {EnvironmentVariable} is not set: run `bash scripts/test.sh` " +
                "(installs PostgreSQL and starts a throwaway cluster), or point ODG_TEST_POSTGRES at a server.");

        var folder = Directory.CreateTempSubdirectory("odg-pg-").FullName;
        var asRoot = Environment.UserName == "root";
        if (asRoot) await RunAsync("chown", ["-R", "postgres:postgres", folder]);
        var port = FreePort();
        await RunAsync(Path.Combine(bin, "initdb"), ["-D", $"{folder}/data", "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"], asRoot);
        await RunAsync(Path.Combine(bin, "pg_ctl"),
            ["-D", $"{folder}/data", "-l", $"{folder}/log", "-w", "-t", "60", "start",
             "-o", $"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off -c max_connections=200"], asRoot);

        // A detached watchdog stops the cluster and removes the folder once this process is gone, however it
        // ends: the test host is often killed before ProcessExit handlers can finish.
        var stop = $"{(asRoot ? "runuser -u postgres -- " : "")}'{bin}/pg_ctl' -D '{folder}/data' -m immediate stop";
        var watchdog = new ProcessStartInfo("setsid") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["sh", "-c", $"while kill -0 {Environment.ProcessId} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1; rm -rf '{folder}'"])
            watchdog.ArgumentList.Add(a);
        Process.Start(watchdog)?.Dispose();
        return $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres";
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static ProcessStartInfo Start(string file, string[] args, bool asPostgres)
    {
        // initdb and postgres refuse to run as root.
        var start = new ProcessStartInfo(asPostgres ? "runuser" : file) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (asPostgres) foreach (var a in (string[])["-u", "postgres", "--", file]) start.ArgumentList.Add(a);
        foreach (var a in args) start.ArgumentList.Add(a);
        return start;
    }

    private static async Task RunAsync(string file, string[] args, bool asPostgres = false)
    {
        using var process = Process.Start(Start(file, args, asPostgres))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{Path.GetFileName(file)} failed ({process.ExitCode}): {await error}{await output}");
    }
}
