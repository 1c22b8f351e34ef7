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
        OpenAiErrorWriter.ShouldRetryHeader,   // openai-node reads it; a page sees only exposed headers
    ];

    public static IServiceCollection AddOpenAiCors(this IServiceCollection services, GatewayOptions options) =>
        options.CorsOrigins.Count == 0 ? services : services.AddCors();

    public static WebApplication UseOpenAiCors(this WebApplication app)
    {
        var origins = app.Services.GetRequiredService<GatewayOptions>().CorsOrigins;
        if (origins.Count == 0) return app;
        var policy = Policy(origins);
        var service = app.Services.GetRequiredService<ICorsService>();
        var provider = app.Services.GetRequiredService<ICorsPolicyProvider>();
        var loggers = app.Services.GetRequiredService<ILoggerFactory>();
        // ASP.NET Core's own CORS middleware, built here rather than through UseCors: UseMiddleware compiles an
        // expression tree for a middleware whose Invoke takes services, which loads System.Linq.Expressions
        // (~2.4 MB of idle memory) for this one call.
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/v1"), v1 => v1.Use(next =>
        {
            var cors = new CorsMiddleware(next, service, policy, loggers);
            return context => cors.Invoke(context, provider);
        }));
        return app;
    }

    private static CorsPolicy Policy(IReadOnlyList<string> origins)
    {
        var policy = new CorsPolicyBuilder();
        policy.WithMethods(HttpMethods.Get, HttpMethods.Post)
            .AllowAnyHeader()   // echoes what the preflight asks for: authorization, content-type, x-stainless-*, ...
            .WithExposedHeaders(ExposedHeaders)
            .SetPreflightMaxAge(TimeSpan.FromHours(2));   // Chromium's ceiling; Firefox would keep it a day
        if (origins is ["*"]) policy.AllowAnyOrigin();
        else policy.WithOrigins([.. origins]);
        return policy.Build();
    }
}
