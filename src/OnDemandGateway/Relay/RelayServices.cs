using Microsoft.Extensions.DependencyInjection.Extensions;
using OnDemandGateway.Accounts;
using OnDemandGateway.Models;
using OnDemandGateway.OpenAi;
using OnDemandGateway.RateLimiting;
using OnDemandGateway.Upstream;
using OnDemandGateway.Upstream.Http;

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
        services.AddSingleton(sp => new UpstreamHttpClient(new UpstreamHttpOptions(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<OnDemandClient>();
        services.AddSingleton<SessionSupply>();
        services.AddSingleton<StreamPump>();
        services.AddSingleton<ChatRelay>();
        services.AddSingleton<ChatCompletionsEndpoint>();
        return services;
    }
}
