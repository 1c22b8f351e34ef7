using OnDemandGateway.Accounts;
using OnDemandGateway.Auth;
using OnDemandGateway.Configuration;
using OnDemandGateway.Health;
using OnDemandGateway.Logging;
using OnDemandGateway.OpenAi;
using OnDemandGateway.Relay;
using OnDemandGateway.Tokenization;
using OnDemandGateway.Usage;

namespace OnDemandGateway;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        WebApplication app;
        try
        {
            app = Build(args);
        }
        catch (ConfigException e)
        {
            return ConfigErrorReporter.Report(e);
        }
        await app.RunAsync();
        return 0;
    }

    /// <summary>Builds the gateway. Tests pass env-style keys through <paramref name="configure"/>, or a
    /// ready <paramref name="options"/> object that then replaces config.json and the environment, and may
    /// replace services (a fake clock) through <paramref name="services"/>.</summary>
    public static WebApplication Build(string[] args, Action<IConfigurationBuilder>? configure = null, GatewayOptions? options = null, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        configure?.Invoke(builder.Configuration);
        options = builder.AddGatewayConfiguration(options);
        builder.AddGatewayLogging(options);
        builder.Services.AddSingleton(new ClientKeyRing(options.ClientKeys));
        builder.Services.AddSingleton<IRequestAuthenticator, HeaderTokenAuthenticator>();
        builder.AddUsage();
        builder.Services.AddTokenization();
        builder.Services.AddRelay();
        services?.Invoke(builder.Services);

        var app = builder.Build();
        app.UseRequestId();
        app.MapHealth();
        app.MapOpenAi();
        app.MapAccountsApi();
        return app;
    }
}
