using System.Net;

namespace OnDemandGateway.Configuration;

/// <summary>
/// The whole validated configuration, built once at start-up from defaults, then <c>config.json</c>
/// (Flask proxy keys), then environment variables. Immutable: runtime state lives elsewhere.
/// </summary>
public sealed record GatewayOptions
{
    public IReadOnlyList<CredentialOptions> Credentials { get; init; } = [];
    public IReadOnlyList<ClientKeyOptions> ClientKeys { get; init; } = [];

    /// <summary>USD per 1M tokens, keyed by the model name clients use.</summary>
    public IReadOnlyDictionary<string, ModelPrice> ModelPrices { get; init; } = new Dictionary<string, ModelPrice>();
    public ModelPrice DefaultModelPrice { get; init; } = new(1.0m, 3.0m);

    /// <summary>Per client key; 0 disables the limit.</summary>
    public int RateLimitPerMinute { get; init; } = 60;
    public double AccountCooldownSeconds { get; init; } = 60;
    public int MaxRetries { get; init; } = 3;
    public double RetryDelaySeconds { get; init; } = 1.0;
    /// <summary>Overall deadline for a non-stream request, and for a stream until its first byte.</summary>
    public double RequestTimeoutSeconds { get; init; } = 120;
    /// <summary>Idle timeout of an upstream stream: reset by every event, heartbeats included.</summary>
    public double StreamTimeoutSeconds { get; init; } = 180;
    public bool DebugMode { get; init; }
    public string StatsFilePath { get; init; } = "stats_data.json";
    public string DefaultEndpointId { get; init; } = DefaultModelTable.DefaultEndpointId;
    public string OnDemandApiBase { get; init; } = "https://api.on-demand.io";
    public string OnDemandAuthBase { get; init; } = "https://gateway.on-demand.io";
    /// <summary>Model name → endpointId: the spec's default table with <c>model_mapping</c> merged over it.</summary>
    public IReadOnlyDictionary<string, string> ModelMapping { get; init; } = DefaultModelTable.Mapping;
    /// <summary>Sent as <c>modelConfigs.fulfillmentPrompt</c> only when set.</summary>
    public string? FulfillmentPrompt { get; init; }

    public UnknownModelPolicy UnknownModels { get; init; } = UnknownModelPolicy.UseDefault;
    public ToolsPolicy Tools { get; init; } = ToolsPolicy.Reject;
    /// <summary>Ignore, instead of a 400, what on-demand.io cannot honour: JSON response formats, logprobs, n &gt; 1, tools.</summary>
    public bool DropUnsupportedParams { get; init; }
    public bool ModelsRequireAuth { get; init; } = true;
    /// <summary>Origins whose pages may call <c>/v1</c> (CORS): <c>["*"]</c> for any, empty for none.</summary>
    public IReadOnlyList<string> CorsOrigins { get; init; } = ["*"];
    /// <summary>Puts <c>/metrics</c> behind a client token; open by default, like most exporters.</summary>
    public bool MetricsRequireAuth { get; init; }
    public long MaxRequestBodyBytes { get; init; } = 4 * 1024 * 1024;
    /// <summary>When every credential cools down, wait for the soonest one if it is this close; else 429 at once.</summary>
    public double AllCoolingMaxWaitSeconds { get; init; } = 5;
    /// <summary>0 = unlimited concurrent upstream requests per credential.</summary>
    public int MaxConcurrencyPerCredential { get; init; }
    public double InvalidCredentialReprobeSeconds { get; init; } = 600;
    /// <summary>Fresh, never-used upstream sessions kept ready per credential (0 disables).</summary>
    public int SessionPoolSize { get; init; } = 2;

    public int Port { get; init; } = 7860;
    /// <summary>Peers whose <c>X-Forwarded-For</c> names the client; empty = trust none. Loopback by default, where
    /// the README's nginx runs.</summary>
    public IReadOnlyList<IPNetwork> TrustedProxies { get; init; } = [IPNetwork.Parse("127.0.0.0/8"), IPNetwork.Parse("::1/128")];
    public string? LogPath { get; init; }
    /// <summary>The log file is rotated before it grows past this many MB (0 = never).</summary>
    public double LogMaxMegabytes { get; init; } = 100;
    /// <summary>Rotated log files kept (<c>LOG_PATH.1</c> … <c>LOG_PATH.N</c>).</summary>
    public int LogBackups { get; init; } = 5;
    public string LogLevel { get; init; } = "Information";
    public string? LogFormat { get; init; }
    public string DataDir { get; init; } = "./data";
    /// <summary><c>sqlite:&lt;path&gt;</c> or a PostgreSQL URL / key=value string; null = SQLite in <see cref="DataDir"/>.</summary>
    public string? DatabaseUrl { get; init; }
    public int UsageRetentionDays { get; init; } = 90;
    public int UsageQueueCapacity { get; init; } = 100_000;

    /// <summary>Where the file was read from, for messages (null when none was found).</summary>
    public string? ConfigPath { get; init; }
}

public enum CredentialKind { ApiKey, Account }

/// <summary>One upstream credential: an API key or an email + password account.</summary>
public sealed record CredentialOptions(CredentialKind Kind, string? ApiKey, string? Email, string? Password)
{
    /// <summary>Stable, non-secret id for logs, the dashboard and usage records.</summary>
    public string MaskedId => Kind == CredentialKind.ApiKey ? Secrets.Mask(ApiKey) : Secrets.MaskEmail(Email);
}

/// <summary>A client access token. <see cref="RateLimitPerMinute"/> overrides the global limit when set.</summary>
public sealed record ClientKeyOptions(string Name, string Key, int? RateLimitPerMinute = null);

public sealed record ModelPrice(decimal InputPerMillion, decimal OutputPerMillion);

public enum UnknownModelPolicy { UseDefault, Reject }

public enum ToolsPolicy { Reject, Ignore }
