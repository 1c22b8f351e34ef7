using System.Diagnostics;

namespace OnDemandGateway.Tests.TestSupport;

/// <summary>
/// A dedicated throwaway PostgreSQL cluster that a test may stop and start again (an outage), unlike the shared
/// test server of <see cref="PostgresServer"/>, which other tests use in parallel and must never be stopped.
/// initdb into a temp folder, 127.0.0.1 on a free port, same port on every restart; removed on dispose.
/// </summary>
public sealed class PostgresCluster : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _folder;
    private readonly bool _asRoot = Environment.UserName == "root";

    private PostgresCluster(string bin, string folder, int port)
    {
        _bin = bin;
        _folder = folder;
        Port = port;
    }

    public int Port { get; }

    /// <summary>As DATABASE_URL takes it.</summary>
    public string Url => $"postgres://postgres@127.0.0.1:{Port}/postgres";

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Pooling=false";

    public static async Task<PostgresCluster> StartAsync()
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderByDescending(d => d, StringComparer.Ordinal).FirstOrDefault()
            : null;
        if (bin is null) throw new InvalidOperationException("PostgreSQL is not installed: run `bash scripts/test.sh`, which installs it.");
        var folder = Directory.CreateTempSubdirectory("odg-pgc-").FullName;
        var cluster = new PostgresCluster(bin, folder, GatewayProcess.FreePort());
        if (cluster._asRoot) await RunAsync("chown", ["-R", "postgres:postgres", folder], false);
        await RunAsync(Path.Combine(bin, "initdb"), ["-D", $"{folder}/data", "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"], cluster._asRoot);
        await cluster.StartServerAsync();
        return cluster;
    }

    public Task StartServerAsync() => RunAsync(Path.Combine(_bin, "pg_ctl"),
        ["-D", $"{_folder}/data", "-l", $"{_folder}/log", "-w", "-t", "60", "start",
         "-o", $"-c listen_addresses=127.0.0.1 -p {Port} -k {_folder} -c fsync=off -c max_connections=100"], _asRoot);

    /// <summary>Immediate stop: connections are cut as in a crash of the database server.</summary>
    public Task StopServerAsync() =>
        RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", $"{_folder}/data", "-m", "immediate", "-w", "stop"], _asRoot);

    public async ValueTask DisposeAsync()
    {
        try { await StopServerAsync(); }
        catch (InvalidOperationException) { } // already stopped
        try { Directory.Delete(_folder, recursive: true); }
        catch (IOException) { }
    }

    private static async Task RunAsync(string file, string[] args, bool asPostgres)
    {
        var start = new ProcessStartInfo(asPostgres ? "runuser" : file) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (asPostgres) foreach (var a in (string[])["-u", "postgres", "--", file]) start.ArgumentList.Add(a);
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{Path.GetFileName(file)} failed ({process.ExitCode}): {await error}{await output}");
    }
}
