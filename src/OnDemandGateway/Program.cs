namespace OnDemandGateway;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var app = Build(args);
        await app.RunAsync();
        return 0;
    }

    /// <summary>Builds the gateway. Tests pass extra configuration (env-style keys) through <paramref name="configure"/>.</summary>
    public static WebApplication Build(string[] args, Action<IConfigurationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        configure?.Invoke(builder.Configuration);
        var app = builder.Build();
        app.MapGet("/health", () => Results.Json(new { status = "ok" }));
        return app;
    }
}
