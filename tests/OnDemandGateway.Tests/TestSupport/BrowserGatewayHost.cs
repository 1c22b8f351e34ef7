using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OnDemandGateway.Accounts;
using OnDemandGateway.Auth;
using OnDemandGateway.Configuration;
using OnDemandGateway.Usage;
using OnDemandGateway.Usage.Api;

namespace OnDemandGateway.Tests.TestSupport;

/// <summary>
/// The real gateway on Kestrel at 127.0.0.1:&lt;random port&gt; with its real SQLite usage store in a temporary
/// folder, and test doubles for the usage writer's queue and the credential pool's states. Each test starts its
/// own and seeds its own data.
/// </summary>
internal sealed partial class BrowserGatewayHost : IAsyncDisposable
{
    public const string Token = "secret-token-0123456789abcdef";
    public const string OtherKeyToken = "ops-token-fedcba9876543210";

    private BrowserGatewayHost(WebApplication app, IUsageStore store, RecordingUsageFlusher flusher, StaticCredentialStatusSource credentials)
    {
        App = app;
        Store = store;
        Flusher = flusher;
        Credentials = credentials;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.TrimEnd('/') + "/");
    }

    public WebApplication App { get; }
    public Uri BaseAddress { get; }
    public IUsageStore Store { get; }
    public RecordingUsageFlusher Flusher { get; }
    public StaticCredentialStatusSource Credentials { get; }

    public static GatewayOptions DefaultOptions(string token = Token) => new()
    {
        ClientKeys = [new ClientKeyOptions("test", token), new ClientKeyOptions("ops", OtherKeyToken)],
        DataDir = Directory.CreateTempSubdirectory("odg-browser-").FullName,
        // Seeded records are dated months back: keep the pruner from deleting them mid-test.
        UsageRetentionDays = 3650,
    };

    public static async Task<BrowserGatewayHost> StartAsync(GatewayOptions? options = null)
    {
        var flusher = new RecordingUsageFlusher();
        var credentials = new StaticCredentialStatusSource();
        var app = Program.Build(
            ["--urls", "http://127.0.0.1:0"],
            configure: config => config.AddInMemoryCollection(new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Warning" }),
            options: options ?? DefaultOptions(),
            services: services =>
            {
                services.AddSingleton<IUsageFlusher>(flusher);
                services.AddSingleton<ICredentialStatusSource>(credentials);
            });
        await app.StartAsync();
        return new BrowserGatewayHost(app, app.Services.GetRequiredService<IUsageStore>(), flusher, credentials);
    }

    public Task SeedAsync(params UsageRecord[] records) => Store.WriteAsync(records, CancellationToken.None);

    /// <summary>A client without cookies or redirects, optionally sending the token header.</summary>
    public HttpClient Client(string? bearer = null, CookieContainer? cookies = null)
    {
        var handler = new HttpClientHandler { AllowAutoRedirect = false, UseCookies = cookies is not null, CookieContainer = cookies ?? new CookieContainer() };
        var client = new HttpClient(handler) { BaseAddress = BaseAddress };
        if (bearer is not null) client.DefaultRequestHeaders.Authorization = new("Bearer", bearer);
        return client;
    }

    /// <summary>Logs in through the form; returns a cookie-carrying client and the page's CSRF token.</summary>
    public async Task<(HttpClient Client, CookieContainer Cookies, string Csrf)> LoginAsync(string token = Token)
    {
        var cookies = new CookieContainer();
        var client = Client(cookies: cookies);
        using var login = await client.PostAsync("login", new FormUrlEncodedContent([new("token", token)]));
        Assert.Equal(HttpStatusCode.SeeOther, login.StatusCode);
        var page = await client.GetStringAsync("");
        var csrf = CsrfMeta().Match(page);
        Assert.True(csrf.Success, "the dashboard page carries a CSRF token");
        return (client, cookies, WebUtility.HtmlDecode(csrf.Groups[1].Value));
    }

    public async ValueTask DisposeAsync()
    {
        var dataDir = App.Services.GetRequiredService<GatewayOptions>().DataDir;
        await App.StopAsync();
        await App.DisposeAsync();
        try
        {
            if (dataDir.Contains("odg-browser-")) Directory.Delete(dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [GeneratedRegex("<meta name=\"csrf-token\" content=\"([^\"]*)\"")]
    private static partial Regex CsrfMeta();
}
