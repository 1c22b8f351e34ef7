using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using OnDemandGateway.FakeUpstream;
using OnDemandGateway.Tests.TestSupport;

namespace OnDemandGateway.Tests.Cluster;

/// <summary>The README's sample <c>deploy/nginx.conf</c>, unchanged except for ports and the pid file, in front of
/// two real gateway processes on one PostgreSQL: streams pass through unbuffered, the limit is one limit, and a
/// dead instance is skipped.</summary>
public sealed class NginxDeploymentTests
{
    [Fact]
    public async Task SampleNginxConfig_TwoInstancesBehindIt_StreamsLimitsAndSurvivesOneInstance()
    {
        await using var rig = await ClusterRig.StartAsync(new FakeOnDemandOptions { Quiet = true, DeltaDelay = TimeSpan.FromMilliseconds(150) });
        await rig.StartInstancesAsync(2, rig.Environment(rateLimit: 6));
        foreach (var instance in rig.Instances) await instance.WaitUntilSharedAsync();
        await using var nginx = await NginxProcess.StartAsync(rig.Instances[0].BaseUrl.Port, rig.Instances[1].BaseUrl.Port);
        using var http = new HttpClient { BaseAddress = nginx.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", rig.Token);

        // A stream arrives piece by piece through the proxy: the first delta long before the end.
        var clock = Stopwatch.StartNew();
        using (var request = Chat(stream: true))
        using (var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            TimeSpan? firstDelta = null;
            var frames = new List<string>();
            for (var line = await reader.ReadLineAsync(); line is not null; line = await reader.ReadLineAsync())
            {
                if (!line.StartsWith("data: ", StringComparison.Ordinal)) continue;
                if (firstDelta is null && line.Contains("\"content\"", StringComparison.Ordinal)) firstDelta = clock.Elapsed;
                frames.Add(line);
            }
            Assert.Equal("data: [DONE]", frames[^1]);
            Assert.NotNull(firstDelta);
            Assert.True(clock.Elapsed - firstDelta > TimeSpan.FromMilliseconds(600),
                $"first delta at {firstDelta.Value.TotalMilliseconds:F0} ms, end at {clock.Elapsed.TotalMilliseconds:F0} ms: the proxy buffered the stream");
        }

        // One limit for both instances, whichever nginx picks (the stream above was the first of 6). Windows are
        // calendar minutes: what follows must fit in one, so the answers come at once instead of delta by delta.
        rig.Upstream.Enqueue([.. Enumerable.Range(0, 6).Select(_ => FakeReply.Stream(FakeStreamStep.Delta("ok"), FakeStreamStep.Done()))]);
        await rig.Instances[0].WaitUntilAsync(() => Task.FromResult(DateTimeOffset.UtcNow.Second < 45), TimeSpan.FromSeconds(20), "an early second of a minute");
        var minute = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60;
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 8; i++)
        {
            using var response = await http.SendAsync(Chat(stream: false));
            statuses.Add(response.StatusCode);
        }
        Assert.Equal(minute, DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60);
        var admittedBefore = statuses.Count(s => s == HttpStatusCode.OK);
        Assert.InRange(admittedBefore, 5, 6); // 5 if the stream's window is this minute, 6 if the minute turned since
        Assert.All(statuses.Skip(admittedBefore), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));

        // One instance dies: nginx skips it and the other answers (the limit is still reached: 429, not 502).
        await rig.Instances[0].KillAsync();
        for (var i = 0; i < 4; i++)
        {
            using var response = await http.SendAsync(Chat(stream: false));
            Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        }
        Assert.Equal(minute, DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60);
    }

    private static HttpRequestMessage Chat(bool stream) => new(HttpMethod.Post, "/v1/chat/completions")
    {
        Content = new StringContent($$"""{"model":"gpt-4o","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"Hello there"}]}""",
            Encoding.UTF8, "application/json"),
    };

    private sealed class NginxProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly string _folder;

        private NginxProcess(Process process, string folder, Uri baseUrl)
        {
            _process = process;
            _folder = folder;
            BaseUrl = baseUrl;
        }

        public Uri BaseUrl { get; }

        public static async Task<NginxProcess> StartAsync(int first, int second)
        {
            var nginx = File.Exists("/usr/sbin/nginx") ? "/usr/sbin/nginx" : throw new InvalidOperationException(
                "nginx is not installed: run `bash scripts/test.sh` (installs it) or `apt-get install -y nginx`.");
            var folder = Directory.CreateTempSubdirectory("odg-nginx-").FullName;
            var port = GatewayProcess.FreePort();
            var sample = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Cluster", "Deploy", "nginx.conf"));
            var config = sample
                .Replace("server 127.0.0.1:7861", $"server 127.0.0.1:{first}", StringComparison.Ordinal)
                .Replace("server 127.0.0.1:7862", $"server 127.0.0.1:{second}", StringComparison.Ordinal)
                .Replace("listen 8080;", $"listen 127.0.0.1:{port};", StringComparison.Ordinal)
                .Replace("pid /tmp/ondemand-gateway-nginx.pid;", $"pid {folder}/nginx.pid;", StringComparison.Ordinal);
            Assert.NotEqual(sample, config);
            await File.WriteAllTextAsync(Path.Combine(folder, "nginx.conf"), config);

            var start = new ProcessStartInfo(nginx) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var a in (string[])["-p", folder, "-c", Path.Combine(folder, "nginx.conf"), "-e", Path.Combine(folder, "error.log"), "-g", "daemon off;"])
                start.ArgumentList.Add(a);
            var process = Process.Start(start)!;
            var proxy = new NginxProcess(process, folder, new Uri($"http://127.0.0.1:{port}"));
            using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            for (var i = 0; i < 200; i++)
            {
                if (process.HasExited) throw new InvalidOperationException($"nginx exited: {await process.StandardError.ReadToEndAsync()}");
                try
                {
                    using var health = await probe.GetAsync(new Uri(proxy.BaseUrl, "/health"));
                    if (health.IsSuccessStatusCode) return proxy;
                }
                catch (HttpRequestException) { }
                await Task.Delay(50);
            }
            await proxy.DisposeAsync();
            throw new TimeoutException("nginx did not start");
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            _process.Dispose();
            try { Directory.Delete(_folder, recursive: true); }
            catch (IOException) { }
        }
    }
}
