using System.Net;
using OnDemandGateway.FakeUpstream;
using OnDemandGateway.Tests.TestSupport;

namespace OnDemandGateway.Tests.Runtime;

/// <summary>What the real executable keeps out of memory while it serves chat (bench/README.md, "Fifth round" and
/// after): each of these libraries was measured as megabytes of resident memory, and each loads only for what needs
/// it (PostgreSQL, TLS to the upstream, a dashboard sign-in), never for the OpenAI path, including CORS and a
/// request forwarded by a trusted proxy.</summary>
public sealed class IdleFootprintProcessTests
{
    private static readonly string[] KeptOut =
    [
        "System.Linq.Expressions.dll",   // expression trees: minimal-API glue at run time, UseMiddleware with services
        "Npgsql.dll",                    // only with a PostgreSQL database
        "System.Net.Security.dll",       // only for TLS to the upstream
        "libssl.so",                     // OpenSSL: TLS, RandomNumberGenerator, SHA-256 of client keys
        "libcrypto.so",
    ];

    [Fact]
    public async Task ServingChat_StreamsAndBrowserPreflight_LoadNoneOfTheLibrariesKeptOffThePath()
    {
        if (!OperatingSystem.IsLinux()) return;
        await using var upstream = await StartUpstreamAsync();
        await using var gateway = await StartGatewayAsync(upstream);

        using (var chat = await gateway.ChatAsync("footprint-token-0001")) Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        using (var stream = await gateway.ChatAsync("footprint-token-0001", stream: true))
            Assert.Contains("data: [DONE]", await stream.Content.ReadAsStringAsync());
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/v1/chat/completions");
        preflight.Headers.Add("Origin", "https://chat.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("X-Forwarded-For", "203.0.113.7");
        using (var answer = await gateway.Http.SendAsync(preflight)) Assert.Equal(HttpStatusCode.NoContent, answer.StatusCode);

        var mapped = File.ReadAllLines($"/proc/{gateway.Id}/maps");
        Assert.Contains(mapped, line => line.EndsWith("System.Private.CoreLib.dll", StringComparison.Ordinal));   // the check reads the right process
        Assert.All(KeptOut, library => Assert.DoesNotContain(mapped, line => line.Contains("/" + library, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task AfterTheFirstChat_TheEmbeddedRankFileIsNotKeptResident()
    {
        if (!OperatingSystem.IsLinux()) return;
        // The kernel reclaims only pages no other process maps, and this test process and the other gateway
        // processes of the suite map the same assembly file: the gateway runs from a private copy of it.
        var app = PrivateCopyOfTheGateway();
        try
        {
            await using var upstream = await StartUpstreamAsync();
            await using var gateway = await StartGatewayAsync(upstream, Path.Combine(app, "OnDemandGateway.dll"));

            // A sync answer without upstream counts is counted with o200k, so its rank file has been read by now.
            using (var chat = await gateway.ChatAsync("footprint-token-0001")) Assert.Equal(HttpStatusCode.OK, chat.StatusCode);

            using var resource = typeof(Program).Assembly.GetManifestResourceStream("OnDemandGateway.Tokenization.Data.o200k_base.tiktoken.br")!;
            var image = new FileInfo(Path.Combine(app, "OnDemandGateway.dll")).Length;
            var resident = ResidentKilobytes(gateway.Id, app + "/OnDemandGateway.dll") * 1024;
            Assert.True(resident > 0, "the gateway's copy of its assembly is not mapped: the check reads the wrong process or file");
            // Everything else in the image may be resident; the 1.26 MB of compressed ranks must not be.
            Assert.True(resident < image - resource.Length,
                $"{resident / 1024} KB of the {image / 1024} KB assembly resident, which leaves no room for the {resource.Length / 1024} KB rank file to be out");
        }
        finally
        {
            Directory.Delete(app, recursive: true);
        }
    }

    /// <summary>A folder holding links to everything the test build put next to the gateway's assembly, and a copy
    /// of the assembly itself written through to disk (the kernel does not reclaim dirty file pages).</summary>
    private static string PrivateCopyOfTheGateway()
    {
        var original = typeof(Program).Assembly.Location;
        var folder = Path.GetDirectoryName(original)!;
        var app = Directory.CreateTempSubdirectory("odg-private-app-").FullName;
        foreach (var file in Directory.EnumerateFiles(folder))
        {
            if (file != original) File.CreateSymbolicLink(Path.Combine(app, Path.GetFileName(file)), file);
        }
        foreach (var directory in Directory.EnumerateDirectories(folder))
        {
            Directory.CreateSymbolicLink(Path.Combine(app, Path.GetFileName(directory)), directory);
        }
        using (var source = File.OpenRead(original))
        using (var copy = new FileStream(Path.Combine(app, Path.GetFileName(original)), FileMode.CreateNew))
        {
            source.CopyTo(copy);
            copy.Flush(flushToDisk: true);
        }
        return app;
    }

    private static async Task<FakeOnDemandServer> StartUpstreamAsync()
    {
        var upstream = await FakeOnDemandServer.StartAsync(new FakeOnDemandOptions { Quiet = true });
        upstream.AddApiKey("upstream-key-footprint-01");
        return upstream;
    }

    private static Task<GatewayProcess> StartGatewayAsync(FakeOnDemandServer upstream, string? dll = null) => GatewayProcess.StartAsync(new Dictionary<string, string>
    {
        ["API_ACCESS_TOKEN"] = "footprint-token-0001",
        ["ONDEMAND_API_KEYS"] = "upstream-key-footprint-01",
        ["ONDEMAND_API_BASE"] = upstream.BaseUrl.ToString(),
        ["ONDEMAND_AUTH_BASE"] = upstream.BaseUrl.ToString(),
    }, dll: dll);

    /// <summary>Resident kilobytes of every mapping of a file whose path ends with <paramref name="pathEnd"/>.</summary>
    private static long ResidentKilobytes(int pid, string pathEnd)
    {
        long total = 0;
        var inFile = false;
        foreach (var line in File.ReadLines($"/proc/{pid}/smaps"))
        {
            var firstField = line.Split(' ', 2)[0];
            if (firstField.Contains('-') && !firstField.Contains(':'))   // "start-end perms offset dev inode path"
            {
                inFile = line.EndsWith(pathEnd, StringComparison.Ordinal);
            }
            else if (inFile && line.StartsWith("Rss:", StringComparison.Ordinal))
            {
                total += long.Parse(line["Rss:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        return total;
    }
}
