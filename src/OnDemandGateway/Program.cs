using OnDemandGateway.Auth;
using OnDemandGateway.Configuration;
using OnDemandGateway.Dashboard;
using OnDemandGateway.Metrics;
using OnDemandGateway.Usage.Api;

namespace OnDemandGateway;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var app = Build(args);
        await app.RunAsync();
        return 0;
    }

    /// <summary>Builds the gateway. Tests pass env-style keys through <paramref name="configure"/>, or a
    /// ready <paramref name="options"/> object that then replaces config.json and the environment, and may swap
    /// services (test doubles) through <paramref name="services"/>, which runs after the defaults.</summary>
    public static WebApplication Build(string[] args, Action<IConfigurationBuilder>? configure = null, GatewayOptions? options = null,
        Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        configure?.Invoke(builder.Configuration);
        // TODO(config helper): load from config.json + environment when options is null.
        options ??= new GatewayOptions();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(new ClientKeyRing(options.ClientKeys));
        builder.Services.AddSingleton<IRequestAuthenticator, HeaderTokenAuthenticator>();
        builder.Services.AddDashboard();
        builder.Services.AddGatewayMetrics();
        services?.Invoke(builder.Services); // keep last: test doubles replace what is registered above

        var app = builder.Build();
        app.MapGet("/health", () => Results.Json(new { status = "ok" }));
        app.MapDashboard();
        app.MapUsageApi();
        app.MapMetrics();
        return app;
    }
}
