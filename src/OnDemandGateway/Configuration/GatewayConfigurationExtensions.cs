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
                // With PostgreSQL every instance must accept the same token: the database holds it.
                var target = ParseDatabaseTarget(options);
                string token, origin;
                bool created;
                if (target.Kind == Usage.Storage.DatabaseKind.Postgres)
                    (token, created, origin) = Cluster.SharedClientToken.LoadOrCreate(target.Location, options.DataDir, TimeProvider.System);
                else
                    ((token, created), origin) = (GeneratedClientToken.LoadOrCreate(options.DataDir), Cluster.ClientTokenOrigins.Local);
                options = options with { ClientKeys = [new ClientKeyOptions(GeneratedClientToken.KeyName, token)] };
                report = report with
                {
                    GeneratedTokenPath = GeneratedClientToken.PathIn(options.DataDir),
                    GeneratedTokenCreated = created,
                    GeneratedTokenOrigin = origin,
                };
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

    /// <summary>A DATABASE_URL that cannot be used is a configuration error (exit code 2, one line, no secret).</summary>
    internal static Usage.Storage.DatabaseTarget ParseDatabaseTarget(GatewayOptions options)
    {
        try
        {
            return Usage.Storage.DatabaseTarget.Parse(options.DatabaseUrl, options.DataDir);
        }
        catch (InvalidOperationException e)
        {
            throw new ConfigException("DATABASE_URL", e.Message);
        }
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
