using System.Net;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OnDemandGateway.Accounts;
using OnDemandGateway.Models;
using OnDemandGateway.OpenAi;
using OnDemandGateway.RateLimiting;
using OnDemandGateway.Upstream;

namespace OnDemandGateway.Relay;

internal static class RelayServices
{
    /// <summary>The request path: rate limit, model table, credential pool, upstream client, relay.</summary>
    public static IServiceCollection AddRelay(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IRateLimitPolicy, FixedWindowRateLimiter>();
        services.TryAddSingleton<Auth.AuthFailureThrottle>();
        services.TryAddSingleton<IRetryPolicy, ClassifiedRetryPolicy>();
        services.AddSingleton<ModelCatalog>();
        services.AddSingleton<CredentialPool>();
        services.AddSingleton<ICredentialStatusSource>(sp => sp.GetRequiredService<CredentialPool>());
        services.AddSingleton(sp => new OnDemandClient(CreateUpstreamHttpClient(), sp.GetRequiredService<Configuration.GatewayOptions>(), sp.GetRequiredService<ILogger<OnDemandClient>>()));
        services.AddSingleton<SessionSupply>();
        services.AddSingleton<StreamPump>();
        services.AddSingleton<ChatRelay>();
        services.AddSingleton<ChatCompletionsEndpoint>();
        return services;
    }

    /// <summary>One long-lived handler with pooled connections; timeouts are per request (deadline and stream
    /// idle timeout), never HttpClient.Timeout, since streams legitimately last minutes.</summary>
    private static HttpClient CreateUpstreamHttpClient() => new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
        ConnectTimeout = TimeSpan.FromSeconds(15),
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        MaxConnectionsPerServer = int.MaxValue,
        // Each of these would add a handler (and work) to every upstream call: the gateway never follows
        // redirects from on-demand.io and propagates no trace headers upstream. (HTTPS_PROXY stays honoured.)
        AllowAutoRedirect = false,
        ActivityHeadersPropagator = null,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
        DefaultRequestVersion = HttpVersion.Version11,
    };
}
