using OnDemandGateway.Accounts;
using OnDemandGateway.Auth;
using OnDemandGateway.Configuration;
using OnDemandGateway.Usage;
using OnDemandGateway.Usage.Api;

namespace OnDemandGateway.Metrics;

/// <summary>
/// <c>GET /metrics</c>. Open by default, like most exporters: it carries counts, model names and credential
/// states, never secrets or key names. <see cref="GatewayOptions.MetricsRequireAuth"/> puts it behind a client token.
/// </summary>
internal static class MetricsEndpoints
{
    public static IServiceCollection AddGatewayMetrics(this IServiceCollection services)
    {
        services.AddSingleton<GatewayMetrics>();
        services.AddSingleton<IUsageObserver>(sp => sp.GetRequiredService<GatewayMetrics>());
        return services;
    }

    public static WebApplication MapMetrics(this WebApplication app)
    {
        var endpoint = app.MapGet("/metrics", (HttpContext http, GatewayMetrics metrics) =>
        {
            var credentials = http.RequestServices.GetService<ICredentialStatusSource>()?.Snapshot() ?? [];
            var queue = QueueStatus.From(http.RequestServices.GetService<IUsageFlusher>());
            var sessions = http.RequestServices.GetService<Upstream.SessionSupply>()?.Counts ?? default;
            var idleConnections = http.RequestServices.GetService<Upstream.Http.UpstreamHttpClient>()?.Pool.IdleCount ?? 0;
            return Results.Text(metrics.Render(credentials, queue, sessions, idleConnections), PrometheusText.ContentType);
        });
        if (app.Services.GetRequiredService<GatewayOptions>().MetricsRequireAuth)
            endpoint.RequireGatewayAuth();
        return app;
    }
}
