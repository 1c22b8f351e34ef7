using System.Text.Json;

namespace OnDemandGateway.Configuration;

/// <summary>Builds <see cref="GatewayOptions"/> from defaults, then config.json (the Flask proxy's keys), then
/// environment variables. Environment variables are read from the <see cref="IConfiguration"/> given (ASP.NET
/// Core adds them unprefixed; tests inject them in memory), never from the process directly.</summary>
internal static class GatewayConfigLoader
{
    public const string ConfigPathVariable = "APP_CONFIG_PATH";
    public const string DefaultConfigFile = "config.json";

    /// <param name="contentRoot">Directory that relative paths (config file, data dir, log path) resolve against:
    /// the process's current directory in production.</param>
    /// <exception cref="ConfigException">A value is missing its required form; the message names the key.</exception>
    public static ConfigLoadResult Load(IConfiguration configuration, string contentRoot)
    {
        var warnings = new List<string>();
        var options = new GatewayOptions();
        var logLevelSet = false;

        var configuredPath = Env(configuration, ConfigPathVariable);
        var path = Path.GetFullPath(configuredPath ?? DefaultConfigFile, contentRoot);
        var fileName = Path.GetFileName(path);
        if (ReadFile(path, mustExist: configuredPath is not null) is { } root)
        {
            options = options with { ConfigPath = path };
            foreach (var property in root.EnumerateObject())
            {
                if (!ConfigSettings.ByFileKey.TryGetValue(property.Name, out var setting))
                {
                    // Keys starting with "_" are the usual way to leave comments in JSON.
                    if (!property.Name.StartsWith('_')) warnings.Add($"{fileName}: unknown key \"{property.Name}\" ignored");
                    continue;
                }
                options = setting.Apply(options, ConfigValue.FromFile(fileName, property.Name, property.Value, setting.Secret), warnings);
                logLevelSet |= setting.FileKey == "log_level";
            }
        }

        foreach (var setting in ConfigSettings.All)
        {
            if (Env(configuration, setting.EnvKey) is not { } text) continue;
            options = setting.Apply(options, ConfigValue.FromEnvironment(setting.EnvKey, text, setting.Secret), warnings);
            logLevelSet |= setting.EnvKey == "LOG_LEVEL";
        }

        // These two only add: upstream keys to the pool, the API-key proxy's client token to the ring.
        var credentials = options.Credentials.AsEnumerable();
        if (Env(configuration, "ONDEMAND_API_KEYS") is { } apiKeys)
            credentials = credentials.Concat(CredentialParser.ParseApiKeyList(ConfigValue.FromEnvironment("ONDEMAND_API_KEYS", apiKeys, secret: true)));
        options = options with { Credentials = CredentialParser.Distinct(credentials, warnings) };
        if (Env(configuration, "PRIVATE_KEY") is { } privateKey)
            options = options with { ClientKeys = ClientKeyParser.WithPrivateKey(options.ClientKeys, ConfigValue.FromEnvironment("PRIVATE_KEY", privateKey, secret: true)) };

        if (options.DebugMode && !logLevelSet) options = options with { LogLevel = nameof(LogLevel.Debug) };
        options = options with { DefaultEndpointId = DefaultEndpoint(options, warnings) };

        options = options with
        {
            DataDir = Path.GetFullPath(options.DataDir, contentRoot),
            LogPath = options.LogPath is null ? null : Path.GetFullPath(options.LogPath, contentRoot),
            StatsFilePath = Path.GetFullPath(options.StatsFilePath, contentRoot),
        };

        if (options.Credentials.Count == 0)
            warnings.Add("no upstream credentials configured: set \"accounts\" in config.json, ONDEMAND_ACCOUNTS or ONDEMAND_API_KEYS");
        return new ConfigLoadResult(options, warnings);
    }

    /// <summary><c>default_endpoint_id</c> as an endpoint id: a model name of the model table stands for its endpoint
    /// (<c>"gpt-4o"</c> there would otherwise go upstream as an endpointId and be refused on every request that
    /// names no model); anything else that is no endpoint id is kept, with a warning at start-up.</summary>
    private static string DefaultEndpoint(GatewayOptions options, List<string> warnings)
    {
        var value = options.DefaultEndpointId;
        // The model table's own lookup: mapped names (any case) and endpoint ids, as a request's model resolves.
        if (new Models.ModelCatalog(options).Resolve(value) is { Known: true } resolved) return resolved.EndpointId;
        warnings.Add($"default_endpoint_id \"{value}\" is neither an endpoint id (predefined-..., byoi-..., byom-...) nor a model name of model_mapping: on-demand.io will likely refuse the requests sent to it");
        return value;
    }

    /// <summary>An environment-style key, or null when unset or blank (compose files often set <c>X=</c>).</summary>
    private static string? Env(IConfiguration configuration, string key) =>
        configuration[key] is { } value && !string.IsNullOrWhiteSpace(value) ? value : null;

    private static JsonElement? ReadFile(string path, bool mustExist)
    {
        var fileName = Path.GetFileName(path);
        if (!File.Exists(path))
        {
            if (mustExist) throw new ConfigException(ConfigPathVariable, $"{ConfigPathVariable}: file not found: {path}");
            return null;
        }

        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException(ConfigPathVariable, $"{fileName}: cannot be read: {e.Message}");
        }

        try
        {
            using var document = JsonDocument.Parse(text, JsonParsing.Options);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new ConfigException(fileName, $"{fileName}: must hold a JSON object of settings");
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new ConfigException(fileName, $"{fileName}: invalid JSON at {JsonParsing.Position(e)}");
        }
    }
}
