using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using OnDemandGateway.Configuration;
using OnDemandGateway.FakeUpstream;
using OpenAI;
using OpenAI.Chat;
using System.ClientModel;

namespace OnDemandGateway.Tests.TestSupport;

/// <summary>A real gateway on Kestrel (127.0.0.1, ephemeral port) in front of its own fake on-demand.io.
/// Each test starts its own pair: no shared state between tests.</summary>
public sealed class GatewayHost : IAsyncDisposable
{
    public const string Token = "test-client-token-0123456789";
    public static readonly string[] ApiKeys = ["upstream-key-alpha-0001", "upstream-key-bravo-0002"];

    private GatewayHost(FakeOnDemandServer upstream, WebApplication app, Uri baseUrl, GatewayOptions options)
    {
        Upstream = upstream;
        App = app;
        BaseUrl = baseUrl;
        Options = options;
        Http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
    }

    public FakeOnDemandServer Upstream { get; }
    public WebApplication App { get; }
    public Uri BaseUrl { get; }
    public GatewayOptions Options { get; }
    /// <summary>Sends the client token on every request.</summary>
    public HttpClient Http { get; }

    public T Service<T>() where T : notnull => App.Services.GetRequiredService<T>();

    /// <summary>The official OpenAI .NET SDK pointed at the gateway.</summary>
    public ChatClient ChatClient(string model = "gpt-4o") =>
        new(model, new ApiKeyCredential(Token), new OpenAIClientOptions { Endpoint = new Uri(BaseUrl, "/v1"), NetworkTimeout = TimeSpan.FromSeconds(30) });

    public static async Task<GatewayHost> StartAsync(
        Func<GatewayOptions, GatewayOptions>? configure = null,
        FakeOnDemandOptions? upstreamOptions = null,
        Action<IServiceCollection>? services = null)
    {
        var upstream = await FakeOnDemandServer.StartAsync(upstreamOptions ?? new FakeOnDemandOptions { Quiet = true });
        foreach (var key in ApiKeys) upstream.AddApiKey(key);
        var options = new GatewayOptions
        {
            Credentials = ApiKeys.Select(k => new CredentialOptions(CredentialKind.ApiKey, k, null, null)).ToList(),
            ClientKeys = [new ClientKeyOptions("test", Token)],
            OnDemandApiBase = upstream.BaseUrl.ToString(),
            OnDemandAuthBase = upstream.BaseUrl.ToString(),
            RetryDelaySeconds = 0.01,
            RateLimitPerMinute = 0,
            SessionPoolSize = 0,
            LogLevel = "Warning",
            DataDir = Directory.CreateTempSubdirectory("odg-gateway-").FullName,
        };
        if (configure is not null) options = configure(options);
        var app = OnDemandGateway.Program.Build(["--urls", "http://127.0.0.1:0", "--environment", "Testing"], options: options, services: services);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new GatewayHost(upstream, app, new Uri(address), options);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        await Upstream.DisposeAsync();
        try
        {
            Directory.Delete(Options.DataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
