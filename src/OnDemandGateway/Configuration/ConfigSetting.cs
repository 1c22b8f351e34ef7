namespace OnDemandGateway.Configuration;

/// <summary>One setting: its config.json key, its environment variable, and how a value changes the options.
/// <see cref="Secret"/> values are never quoted in messages.</summary>
internal sealed record ConfigSetting(string FileKey, string EnvKey, bool Secret, Func<GatewayOptions, ConfigValue, List<string>, GatewayOptions> Apply);
