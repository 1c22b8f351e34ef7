namespace OnDemandGateway.Configuration;

/// <summary>A configuration value that cannot be used. <see cref="Exception.Message"/> is one line that names
/// the source and key and what is wrong; it never contains a secret value.</summary>
public sealed class ConfigException(string key, string message) : Exception(message)
{
    /// <summary>The config.json key (e.g. <c>request_timeout</c>) or environment variable (e.g. <c>PORT</c>).</summary>
    public string Key { get; } = key;
}
