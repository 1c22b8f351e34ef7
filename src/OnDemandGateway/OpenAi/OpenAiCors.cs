using Microsoft.AspNetCore.Cors.Infrastructure;
using OnDemandGateway.Configuration;
using OnDemandGateway.Logging;

namespace OnDemandGateway.OpenAi;

/// <summary>CORS for <c>/v1</c> only (<c>cors_origins</c>), so browser clients can call the API from a page: a
/// preflight is answered 204 before authentication (it carries no token), and every <c>/v1</c> answer, errors and
/// streams included, carries <c>Access-Control-Allow-Origin</c>. Never with credentials: the API authenticates by
/// bearer token. The dashboard, which authenticates by cookie, is left out.</summary>
internal static class OpenAiCors
{
    private static readonly string[] ExposedHeaders =
    [
        RequestIdMiddleware.HeaderName, "Retry-After", "x-ratelimit-limit-requests", "x-ratelimit-remaining-requests",
        "x-ratelimit-reset-requests", ChatCompletionsEndpoint.EndpointHeader,
    ];

    public static IServiceCollection AddOpenAiCors(this IServiceCollection services, GatewayOptions options) =>
        options.CorsOrigins.Count == 0 ? services : services.AddCors();

    public static WebApplication UseOpenAiCors(this WebApplication app)
    {
        var origins = app.Services.GetRequiredService<GatewayOptions>().CorsOrigins;
        if (origins.Count == 0) return app;
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/v1"), v1 => v1.UseCors(policy => Configure(policy, origins)));
        return app;
    }

    private static void Configure(CorsPolicyBuilder policy, IReadOnlyList<string> origins)
    {
        policy.WithMethods(HttpMethods.Get, HttpMethods.Post)
            .AllowAnyHeader()   // echoes what the preflight asks for: authorization, content-type, x-stainless-*, ...
            .WithExposedHeaders(ExposedHeaders)
            .SetPreflightMaxAge(TimeSpan.FromHours(2));   // Chromium's ceiling; Firefox would keep it a day
        if (origins is ["*"]) policy.AllowAnyOrigin();
        else policy.WithOrigins([.. origins]);
    }
}
