namespace OnDemandGateway.Configuration;

/// <summary>Start-up wiring for configuration: load and validate, make sure a client token exists, register
/// <see cref="GatewayOptions"/>, and bind Kestrel to <c>PORT</c>.</summary>
internal static class GatewayConfigurationExtensions
{
    /// <param name="overrideOptions">Tests: use these as they are, without reading config.json or the environment.</param>
    /// <exception cref="ConfigException">Thrown as is: <c>Program.Main</c> reports it with <see cref="ConfigErrorReporter"/>.</exception>
    public static GatewayOptions AddGatewayConfiguration(this WebApplicationBuilder builder, GatewayOptions? overrideOptions = null)
    {
        var report = new ConfigurationReport([], null, false);
        var options = overrideOptions;
        if (options is null)
        {
            // The current directory, not the content root: that is where Flask-proxy users keep config.json.
            var result = GatewayConfigLoader.Load(builder.Configuration, Directory.GetCurrentDirectory());
            options = result.Options;
            report = report with { Warnings = result.Warnings };
            if (options.ClientKeys.Count == 0)
            {
                var (token, created) = GeneratedClientToken.LoadOrCreate(options.DataDir);
                options = options with { ClientKeys = [new ClientKeyOptions(GeneratedClientToken.KeyName, token)] };
                report = report with { GeneratedTokenPath = GeneratedClientToken.PathIn(options.DataDir), GeneratedTokenCreated = created };
                if (created) PrintNewToken(token, report.GeneratedTokenPath);
            }
        }

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(report);
        builder.Services.AddHostedService<ConfigurationReportService>();

        // An explicit --urls / ASPNETCORE_URLS wins; otherwise listen on every interface on PORT, as the Flask proxy did.
        if (string.IsNullOrWhiteSpace(builder.Configuration[WebHostDefaults.ServerUrlsKey])
            && string.IsNullOrWhiteSpace(builder.Configuration["ASPNETCORE_URLS"]))
            builder.WebHost.UseUrls($"http://*:{options.Port}");
        return options;
    }

    /// <summary>Straight to the terminal, not through logging: the token must not end up in a log file.</summary>
    private static void PrintNewToken(string token, string path)
    {
        Console.Out.WriteLine($"""
            ======================================================================
            No client access token was configured, so one was generated:

                {token}

            Clients send it as "Authorization: Bearer <token>". It is stored in
            {path} and will not be printed again.
            Set API_ACCESS_TOKEN (or api_access_token in config.json) to choose your own.
            ======================================================================
            """);
    }
}
