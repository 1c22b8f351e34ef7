using OnDemandGateway.Configuration;

namespace OnDemandGateway.Tests.Configuration;

public sealed class GatewayConfigLoaderTests
{
    [Fact]
    public void Load_NoFileNoEnvironment_ReturnsDefaultsAndWarnsAboutMissingCredentials()
    {
        using var scenario = new ConfigScenario();

        var result = scenario.Load();

        var options = result.Options;
        Assert.Null(options.ConfigPath);
        Assert.Equal(7860, options.Port);
        Assert.Equal(120, options.RequestTimeoutSeconds);
        Assert.Equal("predefined-claude-4-sonnet", options.DefaultEndpointId);
        Assert.Equal("predefined-openai-gpt4o", options.ModelMapping["gpt-4o"]);
        Assert.Equal(Path.Combine(scenario.Directory, "data"), options.DataDir);
        Assert.Empty(options.Credentials);
        Assert.Empty(options.ClientKeys);
        Assert.Contains(result.Warnings, w => w.Contains("no upstream credentials", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_LogRotation_DefaultsTo100MbAndFiveBackups_AndReadsFileAndEnvironment()
    {
        using var defaults = new ConfigScenario();
        var options = defaults.Load().Options;
        Assert.Equal((100.0, 5), (options.LogMaxMegabytes, options.LogBackups));

        using var scenario = new ConfigScenario().WithFile("""{"log_max_mb": 0.5, "log_backups": 2}""");
        Assert.Equal((0.5, 2), (scenario.Load().Options.LogMaxMegabytes, scenario.Load().Options.LogBackups));
        Assert.Equal(0, scenario.Load(("LOG_MAX_MB", "0")).Options.LogMaxMegabytes);
    }

    [Fact]
    public void Load_FileAndEnvironment_EnvironmentOverridesFileOverridesDefaults()
    {
        using var scenario = new ConfigScenario().WithFile("""
            {"request_timeout": 30, "stream_timeout": 45, "max_retries": 5, "retry_delay": 0.25, "port": 8000}
            """);

        var options = scenario.Load(("REQUEST_TIMEOUT", "90"), ("PORT", "9000")).Options;

        Assert.Equal(90, options.RequestTimeoutSeconds);   // env over file
        Assert.Equal(9000, options.Port);                  // env over file
        Assert.Equal(45, options.StreamTimeoutSeconds);    // file over default
        Assert.Equal(5, options.MaxRetries);
        Assert.Equal(0.25, options.RetryDelaySeconds);
        Assert.Equal(60, options.AccountCooldownSeconds);  // default untouched
        Assert.Equal(Path.Combine(scenario.Directory, "config.json"), options.ConfigPath);
    }

    [Fact]
    public void Load_EveryScalarFromEnvironment_ParsesStrings()
    {
        using var scenario = new ConfigScenario();

        var options = scenario.Load(
            ("RATE_LIMIT", "0"), ("ACCOUNT_COOLDOWN_SECONDS", "12.5"), ("DEBUG_MODE", "yes"), ("UNKNOWN_MODEL", "reject"),
            ("TOOLS", "IGNORE"), ("MODELS_REQUIRE_AUTH", "0"), ("MAX_REQUEST_BODY_BYTES", "1024"), ("SESSION_POOL_SIZE", "0"),
            ("ONDEMAND_API_BASE", "http://127.0.0.1:5055/"), ("FULFILLMENT_PROMPT", "Be brief."), ("LOG_LEVEL", "WARNING"),
            ("DATA_DIR", "state"), ("USAGE_RETENTION_DAYS", "7"), ("DATABASE_URL", "sqlite:usage.db")).Options;

        Assert.Equal(0, options.RateLimitPerMinute);
        Assert.Equal(12.5, options.AccountCooldownSeconds);
        Assert.True(options.DebugMode);
        Assert.Equal(UnknownModelPolicy.Reject, options.UnknownModels);
        Assert.Equal(ToolsPolicy.Ignore, options.Tools);
        Assert.False(options.ModelsRequireAuth);
        Assert.Equal(1024, options.MaxRequestBodyBytes);
        Assert.Equal(0, options.SessionPoolSize);
        Assert.Equal("http://127.0.0.1:5055", options.OnDemandApiBase);
        Assert.Equal("Be brief.", options.FulfillmentPrompt);
        Assert.Equal("Warning", options.LogLevel);
        Assert.Equal(Path.Combine(scenario.Directory, "state"), options.DataDir);
        Assert.Equal(7, options.UsageRetentionDays);
        Assert.Equal("sqlite:usage.db", options.DatabaseUrl);
    }

    [Fact]
    public void Load_BlankEnvironmentVariable_IsTreatedAsUnset()
    {
        using var scenario = new ConfigScenario().WithFile("""{"port": 8000}""");

        Assert.Equal(8000, scenario.Load(("PORT", "  ")).Options.Port);
    }

    [Theory]
    [InlineData(null, "Debug")]
    [InlineData("ERROR", "Error")]
    public void Load_DebugMode_LowersLevelToDebugUnlessLogLevelSet(string? logLevel, string expected)
    {
        using var scenario = new ConfigScenario().WithFile("""{"debug_mode": true}""");
        (string, string)[] environment = logLevel is null ? [] : [("LOG_LEVEL", logLevel)];

        Assert.Equal(expected, scenario.Load(environment).Options.LogLevel);
    }

    [Fact]
    public void Load_UnknownKeys_WarnButDoNotFail()
    {
        using var scenario = new ConfigScenario().WithFile("""{"max_retries": 2, "auto_update": true, "_comment": "mine"}""");

        var result = scenario.Load();

        Assert.Equal(2, result.Options.MaxRetries);
        Assert.Contains("config.json: unknown key \"auto_update\" ignored", result.Warnings);
        Assert.DoesNotContain(result.Warnings, w => w.Contains("_comment", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_AppConfigPathSet_ReadsThatFileRelativeToWorkingDirectory()
    {
        using var scenario = new ConfigScenario().WithFile("""{"max_retries": 7}""", name: "gateway.json");

        var options = scenario.Load(("APP_CONFIG_PATH", "gateway.json")).Options;

        Assert.Equal(7, options.MaxRetries);
        Assert.Equal(Path.Combine(scenario.Directory, "gateway.json"), options.ConfigPath);
    }

    [Fact]
    public void Load_FileWithCommentsAndTrailingCommas_IsAccepted()
    {
        using var scenario = new ConfigScenario().WithFile("""
            {
              // hand-edited
              "max_retries": 4,
            }
            """);

        Assert.Equal(4, scenario.Load().Options.MaxRetries);
    }

    [Fact]
    public void Load_LogFormatWithUnknownPlaceholder_Warns()
    {
        using var scenario = new ConfigScenario();

        var result = scenario.Load(("LOG_FORMAT", "%(asctime)s %(lineno)d %(message)s"));

        Assert.Equal("%(asctime)s %(lineno)d %(message)s", result.Options.LogFormat);
        Assert.Contains(result.Warnings, w => w.StartsWith("LOG_FORMAT: uses %(lineno)", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_DropUnsupportedParams_DefaultsToFalse_AndReadsFileAndEnvironment()
    {
        using var defaults = new ConfigScenario();
        Assert.False(defaults.Load().Options.DropUnsupportedParams);

        using var scenario = new ConfigScenario().WithFile("""{"drop_unsupported_params": true}""");
        Assert.True(scenario.Load().Options.DropUnsupportedParams);
        Assert.False(scenario.Load(("DROP_UNSUPPORTED_PARAMS", "no")).Options.DropUnsupportedParams);
    }

    [Theory]
    [InlineData("predefined-xai-grok4", "predefined-xai-grok4", false)]
    [InlineData("byom-my-model", "byom-my-model", false)]
    [InlineData("GPT-4o", "predefined-openai-gpt4o", false)]     // a model name of the table stands for its endpoint
    [InlineData("my-favourite", "my-favourite", true)]            // kept, but said at start-up
    public void Load_DefaultEndpointId_ModelNameResolved_NonEndpointWarned(string value, string endpointId, bool warned)
    {
        using var scenario = new ConfigScenario().WithFile($$"""{"default_endpoint_id": "{{value}}"}""");

        var result = scenario.Load();

        Assert.Equal(endpointId, result.Options.DefaultEndpointId);
        Assert.Equal(warned, result.Warnings.Any(w => w.StartsWith($"default_endpoint_id \"{value}\"", StringComparison.Ordinal)));
    }
}
