using System.Collections.Frozen;
using OnDemandGateway.Logging;

namespace OnDemandGateway.Configuration;

/// <summary>Every key config.json may hold (the Flask proxy's names plus the gateway's own) with its
/// environment variable. The README's configuration reference documents this table (a test checks every key has a row).</summary>
internal static class ConfigSettings
{
    public static IReadOnlyList<ConfigSetting> All { get; } =
    [
        new("accounts", "ONDEMAND_ACCOUNTS", true, (o, v, w) => o with { Credentials = CredentialParser.ParseAccounts(v, w) }),
        new("api_access_token", "API_ACCESS_TOKEN", true, (o, v, w) => o with { ClientKeys = ClientKeyParser.ParseTokens(v, w) }),
        new("model_prices", "MODEL_PRICES", false, (o, v, _) => o with { ModelPrices = ModelSettingsParser.ParsePrices(v) }),
        new("default_model_price", "DEFAULT_MODEL_PRICE", false, (o, v, _) => o with { DefaultModelPrice = ModelSettingsParser.ParsePrice(v, v.Json()) }),
        Whole("rate_limit_per_minute", "RATE_LIMIT", 0, (o, x) => o with { RateLimitPerMinute = x }),
        Seconds("account_cooldown_seconds", "ACCOUNT_COOLDOWN_SECONDS", positive: false, (o, x) => o with { AccountCooldownSeconds = x }),
        Whole("max_retries", "MAX_RETRIES", 0, (o, x) => o with { MaxRetries = x }, max: 100),
        Seconds("retry_delay", "RETRY_DELAY", positive: false, (o, x) => o with { RetryDelaySeconds = x }),
        Seconds("request_timeout", "REQUEST_TIMEOUT", positive: true, (o, x) => o with { RequestTimeoutSeconds = x }),
        Seconds("stream_timeout", "STREAM_TIMEOUT", positive: true, (o, x) => o with { StreamTimeoutSeconds = x }),
        new("debug_mode", "DEBUG_MODE", false, (o, v, _) => o with { DebugMode = v.Boolean() }),
        new("stats_file_path", "STATS_FILE_PATH", false, (o, v, _) => o with { StatsFilePath = v.String() }),
        new("default_endpoint_id", "DEFAULT_ENDPOINT_ID", false, (o, v, _) => o with { DefaultEndpointId = v.String() }),
        new("ondemand_api_base", "ONDEMAND_API_BASE", false, (o, v, _) => o with { OnDemandApiBase = BaseUrl(v) }),
        new("ondemand_auth_base", "ONDEMAND_AUTH_BASE", false, (o, v, _) => o with { OnDemandAuthBase = BaseUrl(v) }),
        new("model_mapping", "MODEL_MAPPING", false, (o, v, _) => o with { ModelMapping = ModelSettingsParser.ParseMapping(v) }),
        new("fulfillment_prompt", "FULFILLMENT_PROMPT", false, (o, v, _) => o with { FulfillmentPrompt = NullIfEmpty(v.String(allowEmpty: true)) }),
        new("unknown_model", "UNKNOWN_MODEL", false, (o, v, _) => o with { UnknownModels = Choice(v, ("default", UnknownModelPolicy.UseDefault), ("reject", UnknownModelPolicy.Reject)) }),
        new("tools", "TOOLS", false, (o, v, _) => o with { Tools = Choice(v, ("reject", ToolsPolicy.Reject), ("ignore", ToolsPolicy.Ignore)) }),
        new("drop_unsupported_params", "DROP_UNSUPPORTED_PARAMS", false, (o, v, _) => o with { DropUnsupportedParams = v.Boolean() }),
        new("models_require_auth", "MODELS_REQUIRE_AUTH", false, (o, v, _) => o with { ModelsRequireAuth = v.Boolean() }),
        new("cors_origins", "CORS_ORIGINS", false, (o, v, _) => o with { CorsOrigins = CorsOriginParser.Parse(v) }),
        new("metrics_require_auth", "METRICS_REQUIRE_AUTH", false, (o, v, _) => o with { MetricsRequireAuth = v.Boolean() }),
        new("max_request_body_bytes", "MAX_REQUEST_BODY_BYTES", false, (o, v, _) => o with { MaxRequestBodyBytes = v.Integer(1, MaxBodyBytes, $"a whole number of bytes from 1 to {MaxBodyBytes} (1 GiB)") }),
        Seconds("all_cooling_max_wait_seconds", "ALL_COOLING_MAX_WAIT_SECONDS", positive: false, (o, x) => o with { AllCoolingMaxWaitSeconds = x }),
        Whole("max_concurrency_per_credential", "MAX_CONCURRENCY_PER_CREDENTIAL", 0, (o, x) => o with { MaxConcurrencyPerCredential = x }),
        Seconds("invalid_credential_reprobe_seconds", "INVALID_CREDENTIAL_REPROBE_SECONDS", positive: true, (o, x) => o with { InvalidCredentialReprobeSeconds = x }),
        Whole("session_pool_size", "SESSION_POOL_SIZE", 0, (o, x) => o with { SessionPoolSize = x }, max: Upstream.SessionSupply.MaxReserve),
        new("port", "PORT", false, (o, v, _) => o with { Port = (int)v.Integer(1, 65535, "a port number from 1 to 65535") }),
        new("trusted_proxies", "TRUSTED_PROXIES", false, (o, v, _) => o with { TrustedProxies = TrustedProxyParser.Parse(v) }),
        new("log_path", "LOG_PATH", false, (o, v, _) => o with { LogPath = NullIfEmpty(v.String(allowEmpty: true)) }),
        Number("log_max_mb", "LOG_MAX_MB", (o, x) => o with { LogMaxMegabytes = x }),
        Whole("log_backups", "LOG_BACKUPS", 1, (o, x) => o with { LogBackups = x }, max: 1000),
        new("log_level", "LOG_LEVEL", false, (o, v, _) => o with { LogLevel = Level(v) }),
        new("log_format", "LOG_FORMAT", false, (o, v, w) => o with { LogFormat = Format(v, w) }),
        new("data_dir", "DATA_DIR", false, (o, v, _) => o with { DataDir = v.String() }),
        new("database_url", "DATABASE_URL", true, (o, v, _) => o with { DatabaseUrl = NullIfEmpty(v.String(allowEmpty: true)) }),
        Whole("usage_retention_days", "USAGE_RETENTION_DAYS", 1, (o, x) => o with { UsageRetentionDays = x }, max: 36_500),
        Whole("usage_queue_capacity", "USAGE_QUEUE_CAPACITY", 1, (o, x) => o with { UsageQueueCapacity = x }),
    ];

    public static FrozenDictionary<string, ConfigSetting> ByFileKey { get; } = All.ToFrozenDictionary(s => s.FileKey, StringComparer.Ordinal);

    /// <summary>Durations end up in timers, delays and deadlines, and the runtime's timers refuse anything past
    /// about 49.7 days (every request would fail); a day is well inside that and above any sensible wait.</summary>
    private const double MaxSeconds = 86_400;

    /// <summary>A body is read into one array, whose length is an int.</summary>
    private const long MaxBodyBytes = 1L << 30;

    private static ConfigSetting Number(string fileKey, string envKey, Func<GatewayOptions, double, GatewayOptions> set) =>
        new(fileKey, envKey, false, (o, v, _) => set(o, v.Number(0, exclusiveMin: false, "a number, 0 or more")));

    private static ConfigSetting Seconds(string fileKey, string envKey, bool positive, Func<GatewayOptions, double, GatewayOptions> set) =>
        new(fileKey, envKey, false, (o, v, _) => set(o, v.Number(0, exclusiveMin: positive,
            positive ? $"a number of seconds above 0, at most {MaxSeconds} (one day)" : $"a number of seconds from 0 to {MaxSeconds} (one day)", MaxSeconds)));

    private static ConfigSetting Whole(string fileKey, string envKey, int min, Func<GatewayOptions, int, GatewayOptions> set, int max = int.MaxValue) =>
        new(fileKey, envKey, false, (o, v, _) => set(o, (int)v.Integer(min, max, max == int.MaxValue ? $"a whole number, {min} or more" : $"a whole number from {min} to {max}")));

    private static string? NullIfEmpty(string text) => text.Length == 0 ? null : text;

    private static T Choice<T>(ConfigValue value, params (string Name, T Value)[] choices)
    {
        var text = value.String();
        foreach (var (name, choice) in choices)
            if (string.Equals(text, name, StringComparison.OrdinalIgnoreCase)) return choice;
        throw value.Error($"must be {string.Join(" or ", choices.Select(c => $"\"{c.Name}\""))} (got \"{text}\")");
    }

    /// <summary>An absolute http(s) URL without its trailing slash, so callers can append paths.</summary>
    private static string BaseUrl(ConfigValue value)
    {
        var text = value.String();
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            // A URL with user info may carry a password: name the problem, not the value.
            var got = text.Contains('@') ? "" : $" (got \"{text}\")";
            throw value.Error($"must be an absolute http:// or https:// URL{got}");
        }
        return text.TrimEnd('/');
    }

    /// <summary>Stored under .NET's name, whichever spelling (Python's DEBUG/INFO/WARNING... or .NET's) was used.</summary>
    private static string Level(ConfigValue value)
    {
        var text = value.String();
        if (!LogLevelNames.TryParse(text, out var level))
            throw value.Error($"must be DEBUG, INFO, WARNING, ERROR or CRITICAL (or a .NET level name) (got \"{text}\")");
        return level.ToString();
    }

    private static string? Format(ConfigValue value, List<string> warnings)
    {
        var text = value.String(allowEmpty: true);
        if (text.Length == 0) return null;
        foreach (var unknown in LogLineFormat.Parse(text).UnknownPlaceholders)
            warnings.Add(value.Error($"uses %({unknown}) which the gateway does not provide; it prints as \"-\"").Message);
        if (!text.Contains("%(message)", StringComparison.Ordinal))
            warnings.Add(value.Error("has no %(message)s placeholder; log lines will not show their message").Message);
        return text;
    }
}
