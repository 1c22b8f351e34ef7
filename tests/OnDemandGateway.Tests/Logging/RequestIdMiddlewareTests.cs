using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OnDemandGateway.Configuration;
using OnDemandGateway.Logging;

namespace OnDemandGateway.Tests.Logging;

/// <summary>A small app wired with the gateway's logging, whose one endpoint logs a line: what an operator
/// greps for is the request id in that line and in the response header.</summary>
public sealed class RequestIdMiddlewareTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("odg-reqid-").FullName;
    private string LogPath => Path.Combine(_directory, "gateway.log");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private WebApplication BuildApp(GatewayOptions? options = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.AddGatewayLogging(options ?? new GatewayOptions { LogPath = LogPath, LogFormat = "%(levelname)s [%(request_id)s] %(message)s" });
        var app = builder.Build();
        app.UseRequestId();
        app.MapGet("/work", (HttpContext context, ILogger<RequestIdMiddlewareTests> logger) =>
        {
            logger.LogInformation("handling work");
            return Results.Json(new { traceId = context.TraceIdentifier });
        });
        return app;
    }

    [Fact]
    public async Task Request_WithSafeIncomingId_EchoesItInHeaderTraceIdAndLogLine()
    {
        await using (var app = BuildApp())
        {
            await app.StartAsync();
            var request = new HttpRequestMessage(HttpMethod.Get, "/work") { Headers = { { "X-Request-Id", "client-id_1.2:3" } } };

            var response = await app.GetTestClient().SendAsync(request);

            Assert.Equal("client-id_1.2:3", Assert.Single(response.Headers.GetValues("X-Request-Id")));
            Assert.Equal("client-id_1.2:3", (await response.Content.ReadFromJsonAsync<TraceBody>())!.TraceId);
            app.Services.GetRequiredService<ILogger<RequestIdMiddlewareTests>>().LogInformation("after the request");
            await app.StopAsync();
        }

        var lines = File.ReadAllLines(LogPath);
        Assert.Contains("INFO [client-id_1.2:3] handling work", lines);
        Assert.Contains("INFO [-] after the request", lines);
    }

    [Theory]
    [InlineData("has spaces and \"quotes\"")]
    [InlineData("line\\nbreak")]
    [InlineData("")]
    public async Task Request_WithUnsafeOrMissingId_GetsFreshShortId(string incoming)
    {
        string id;
        await using (var app = BuildApp())
        {
            await app.StartAsync();
            var request = new HttpRequestMessage(HttpMethod.Get, "/work");
            if (incoming.Length > 0) request.Headers.TryAddWithoutValidation("X-Request-Id", incoming);

            var response = await app.GetTestClient().SendAsync(request);

            id = Assert.Single(response.Headers.GetValues("X-Request-Id"));
            await app.StopAsync();
        }

        Assert.Matches("^[0-9a-f]{16}$", id);
        Assert.Contains($"INFO [{id}] handling work", File.ReadAllLines(LogPath));
    }

    [Fact]
    public void IsAcceptable_LongerThan64_Rejected()
    {
        Assert.True(RequestIdMiddleware.IsAcceptable(new string('a', 64)));
        Assert.False(RequestIdMiddleware.IsAcceptable(new string('a', 65)));
    }

    [Fact]
    public async Task AddGatewayLogging_LevelWarning_DisabledLevelIsNeverFormatted()
    {
        await using var app = BuildApp(new GatewayOptions { LogLevel = "Warning" });
        var logger = app.Services.GetRequiredService<ILogger<RequestIdMiddlewareTests>>();
        var formatted = false;

        logger.Log(LogLevel.Information, default, "state", null, (_, _) => { formatted = true; return "text"; });

        Assert.False(logger.IsEnabled(LogLevel.Information));
        Assert.True(logger.IsEnabled(LogLevel.Warning));
        Assert.False(formatted);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public async Task AddGatewayLogging_FrameworkCategories_QuietUnlessDebugMode(bool debugMode, bool frameworkInfoEnabled)
    {
        await using var app = BuildApp(new GatewayOptions { DebugMode = debugMode, LogLevel = debugMode ? "Debug" : "Information" });
        var factory = app.Services.GetRequiredService<ILoggerFactory>();

        Assert.Equal(frameworkInfoEnabled, factory.CreateLogger("Microsoft.AspNetCore.Routing").IsEnabled(LogLevel.Information));
        // The per-request hosting lines (and the Activity ASP.NET Core starts for them) only when debugging.
        Assert.Equal(debugMode, factory.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Critical));
        Assert.True(factory.CreateLogger("Microsoft.Hosting.Lifetime").IsEnabled(LogLevel.Information));
        Assert.True(factory.CreateLogger("OnDemandGateway.Relay").IsEnabled(LogLevel.Information));
    }

    [Fact]
    public async Task Gateway_RealServer_ReturnsRequestIdHeader()
    {
        var options = new GatewayOptions { ClientKeys = [new ClientKeyOptions("t", "sk-t")], LogPath = LogPath };
        await using (var app = Program.Build(["--urls", "http://127.0.0.1:0"], options: options))
        {
            await app.StartAsync();
            using var client = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };
            var request = new HttpRequestMessage(HttpMethod.Get, "/health") { Headers = { { "X-Request-Id", "probe-7" } } };

            var response = await client.SendAsync(request);

            Assert.Equal("probe-7", Assert.Single(response.Headers.GetValues("X-Request-Id")));
            await app.StopAsync();
        }
        Assert.Contains(File.ReadAllLines(LogPath), line => line.Contains("Now listening on: http://127.0.0.1:", StringComparison.Ordinal));
    }

    private sealed record TraceBody(string TraceId);
}
