using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace OnDemandGateway.Tests.TestSupport;

/// <summary>
/// A real gateway process (<c>dotnet OnDemandGateway.dll</c>, the build the test project references) on a free
/// loopback port, configured only through environment variables, as an operator runs it. Killed on dispose
/// whatever state it is in; its console output is kept for failure messages.
/// </summary>
public sealed class GatewayProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private GatewayProcess(Process process, Uri baseUrl, string dataDir)
    {
        _process = process;
        BaseUrl = baseUrl;
        DataDir = dataDir;
        Http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri BaseUrl { get; }
    public string DataDir { get; }
    public HttpClient Http { get; }
    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>Starts the process and returns once <c>/health</c> answers (or throws with its output).
    /// <paramref name="dll"/>: another copy of the gateway's assembly to run, next to its dependencies.</summary>
    public static async Task<GatewayProcess> StartAsync(IReadOnlyDictionary<string, string> environment, string? dataDir = null, string? dll = null)
    {
        dll ??= typeof(OnDemandGateway.Program).Assembly.Location;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // A failed start deletes its data folder (dispose), so each attempt gets a new one.
                return await StartOnAsync(FreePort(), environment, dataDir ?? Directory.CreateTempSubdirectory("odg-proc-").FullName, dll);
            }
            catch (InvalidOperationException e) when (dataDir is null && attempt < 3 && e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                // The free port was taken by a parallel test between our check and the gateway's bind: another port.
            }
        }
    }

    private static async Task<GatewayProcess> StartOnAsync(int port, IReadOnlyDictionary<string, string> environment, string dataDir, string dll)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = dataDir, // no stray config.json or stats file from the test's folder
        };
        foreach (var a in (string[])[dll, "--urls", $"http://127.0.0.1:{port}"]) start.ArgumentList.Add(a);
        start.Environment["DATA_DIR"] = dataDir;
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        // The runtime's diagnostics socket (and any temporary file) goes with the data folder, not into /tmp.
        start.Environment["TMPDIR"] = dataDir;
        foreach (var (key, value) in environment) start.Environment[key] = value;

        var process = new Process { StartInfo = start };
        var gateway = new GatewayProcess(process, new Uri($"http://127.0.0.1:{port}"), dataDir);
        process.OutputDataReceived += (_, e) => gateway.Append(e.Data);
        process.ErrorDataReceived += (_, e) => gateway.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await gateway.WaitUntilAsync(async () =>
            {
                if (process.HasExited)
                {
                    process.WaitForExit(); // the output readers deliver the last lines (Kestrel's bind error) first
                    throw new InvalidOperationException($"gateway exited with {process.ExitCode}:\n{gateway.Output}");
                }
                try { return (await gateway.Http.GetAsync("/health")).IsSuccessStatusCode; }
                catch (HttpRequestException) { return false; }
            }, TimeSpan.FromSeconds(60), "gateway /health");
        }
        catch
        {
            await gateway.DisposeAsync();
            throw;
        }
        return gateway;
    }

    public async Task<JsonElement> HealthAsync()
    {
        using var response = await Http.GetAsync("/health");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    public async Task<JsonElement> GetJsonAsync(string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>One chat completion; returns the status code (and the response, disposed by the caller).</summary>
    public Task<HttpResponseMessage> ChatAsync(string token, bool stream = false, string? requestId = null, CancellationToken ct = default)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent(
                $$"""{"model":"gpt-4o","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"Hello there"}]}""",
                Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (requestId is not null) request.Headers.Add("X-Request-Id", requestId);
        return Http.SendAsync(request, stream ? HttpCompletionOption.ResponseHeadersRead : HttpCompletionOption.ResponseContentRead, ct);
    }

    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="timeout"/> passes (then fails
    /// the test naming <paramref name="what"/>, with this process's output). Bounded in time and count.</summary>
    public async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = Stopwatch.StartNew();
        for (var attempt = 0; attempt < 10_000; attempt++)
        {
            if (await condition()) return;
            if (deadline.Elapsed > timeout) break;
            await Task.Delay(50);
        }
        throw new TimeoutException($"timed out waiting for {what} after {timeout.TotalSeconds} s. Output of {BaseUrl}:\n{Output}");
    }

    /// <summary>Waits until /health reports the schema and the rate limit as shared: an instance whose schema
    /// start-up is still under way limits on its own.</summary>
    public Task WaitUntilSharedAsync() =>
        WaitUntilAsync(async () =>
        {
            var shared = (await HealthAsync()).GetProperty("shared_state");
            return shared.GetProperty("schema").GetProperty("mode").GetString() == "shared"
                && shared.GetProperty("rate_limit").GetProperty("mode").GetString() == "shared";
        }, TimeSpan.FromSeconds(30), "the schema and rate limit to be shared");

    /// <summary>SIGTERM (graceful: drains in-flight requests and the usage queue) and waits for the exit.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        if (!_process.HasExited) Signal("TERM");
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    /// <summary>kill -9: no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(cts.Token);
    }

    public async ValueTask DisposeAsync()
    {
        try { await KillAsync(); }
        catch (InvalidOperationException) { } // never started
        Http.Dispose();
        _process.Dispose();
        try { Directory.Delete(DataDir, recursive: true); }
        catch (IOException) { }
    }

    private void Signal(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-" + signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) } })!;
        kill.WaitForExit();
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
