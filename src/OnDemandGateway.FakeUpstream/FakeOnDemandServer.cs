using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OnDemandGateway.FakeUpstream.Hosting;
using OnDemandGateway.FakeUpstream.OpenAi;

namespace OnDemandGateway.FakeUpstream;

/// <summary>A fake on-demand.io (API host and auth host on one base URL) on real Kestrel at 127.0.0.1, following
/// the upstream spec: signin/refresh, sessions, sync and stream queries, scripted failures, call recording.</summary>
public sealed class FakeOnDemandServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly FakeServerState _state;
    private int _disposed;

    private FakeOnDemandServer(WebApplication app, FakeServerState state, Uri baseUrl)
    {
        _app = app;
        _state = state;
        BaseUrl = baseUrl;
    }

    /// <summary><c>http://127.0.0.1:PORT</c>, serving both the <c>{api}</c> and the <c>{auth}</c> paths.</summary>
    public Uri BaseUrl { get; }

    public FakeOnDemandOptions Options => _state.Options;

    /// <summary>Consulted for every signin, refresh, session creation and query that passed validation, after the
    /// queued replies (queries only). Return null for the default behaviour. Runs on request threads.</summary>
    public Func<FakeCall, FakeReply?>? Handler
    {
        get => _state.Handler;
        set => _state.Handler = value;
    }

    /// <summary>Recorded calls in arrival order (a snapshot; empty when <see cref="FakeOnDemandOptions.RecordCalls"/> is off).</summary>
    public IReadOnlyList<FakeCall> Calls => _state.Calls.Snapshot();

    /// <summary>Signin requests received, successful or not.</summary>
    public int SigninCount => _state.SigninCount;

    /// <summary>Refresh requests received, successful or not.</summary>
    public int RefreshCount => _state.RefreshCount;

    /// <summary>Query requests received, valid or not.</summary>
    public int QueryCount => _state.QueryCount;

    /// <summary>All signin, refresh, session and query requests received.</summary>
    public int CallCount => _state.CallCount;

    public int SessionCount => _state.Sessions.Count;

    /// <summary>Queued replies not yet consumed by a query.</summary>
    public int PendingReplies => _state.PendingReplies;

    public static async Task<FakeOnDemandServer> StartAsync(FakeOnDemandOptions? options = null, CancellationToken ct = default)
    {
        options ??= new FakeOnDemandOptions();
        options.Validate();

        // The empty builder reads no appsettings or environment: a fake inside a test host must not pick up the
        // gateway's Kestrel endpoints or ASPNETCORE_URLS.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(FakeOnDemandServer).Assembly.GetName().Name,
        });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(IPAddress.Loopback, options.Port);
        });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.Logging.ClearProviders();
        if (!options.Quiet)
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
            });
            builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        }

        var app = builder.Build();
        var state = new FakeServerState(options);
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("OnDemandGateway.FakeUpstream");
        var dispatcher = new FakeDispatcher(state, options.OpenAiMode ? new OpenAiCompletions(options) : null, logger);
        app.Run(dispatcher.InvokeAsync);
        await app.StartAsync(ct);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new FakeOnDemandServer(app, state, new Uri(address));
    }

    /// <summary>Makes <paramref name="key"/> a valid <c>apikey</c>.</summary>
    public void AddApiKey(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        _state.Credentials.AddApiKey(key);
    }

    /// <summary>Adds (or re-passwords) an account. Its userId and company id are assigned here, in order.</summary>
    public void AddAccount(string email, string password)
    {
        ArgumentException.ThrowIfNullOrEmpty(email);
        ArgumentException.ThrowIfNullOrEmpty(password);
        _state.Credentials.AddAccount(email, password);
    }

    /// <summary>Every access token issued so far now gets 401 <c>unauthenticated</c> on chat calls; refresh still works.</summary>
    public void ExpireAccessTokens() => _state.Credentials.ExpireAccessTokens();

    /// <summary>Every refresh token issued so far now gets 401 on refresh; a new signin issues fresh ones.</summary>
    public void RevokeRefreshTokens() => _state.Credentials.RevokeRefreshTokens();

    /// <summary>Replies for the next valid query calls, first in first out, consulted before <see cref="Handler"/>.</summary>
    public void Enqueue(params FakeReply[] replies)
    {
        foreach (var reply in replies)
        {
            ArgumentNullException.ThrowIfNull(reply);
            _state.Enqueue(reply);
        }
    }

    /// <summary>Queries the session accepted, in order (rejected and reset queries are not part of its history).
    /// Empty for an unknown session or when recording is off.</summary>
    public IReadOnlyList<string> QueriesInSession(string sessionId) =>
        _state.Sessions.Find(sessionId)?.Queries() ?? [];

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _state.Stop(); // ends hanging calls first, so stopping never waits for the shutdown timeout
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
