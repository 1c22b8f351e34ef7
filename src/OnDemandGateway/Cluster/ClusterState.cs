namespace OnDemandGateway.Cluster;

/// <summary>What this instance shares with the others through PostgreSQL, and what currently falls back to
/// per-instance state; <c>/health</c> reports it. With SQLite nothing is shared (<see cref="Enabled"/> false).</summary>
internal sealed class ClusterState(bool enabled)
{
    public bool Enabled { get; } = enabled;
    public SharedComponentState RateLimit { get; } = new("rate_limit");
    public SharedComponentState Credentials { get; } = new("credentials");
    public SharedComponentState Schema { get; } = new("schema");

    /// <summary>Where the generated client token came from: "configured" (tokens set by the operator), "shared"
    /// (gateway_settings), "local" (DATA_DIR copy: the database was unreachable at start), or "mismatch"
    /// (the database holds another generated token than this instance uses: restart this instance).</summary>
    public string ClientToken { get; set; } = ClientTokenOrigins.Configured;

    /// <summary>True when every shared piece works through PostgreSQL (always true when not clustered).</summary>
    public bool Healthy => !Enabled || (Schema.IsShared && RateLimit.IsShared && Credentials.IsShared
        && ClientToken is ClientTokenOrigins.Configured or ClientTokenOrigins.Shared);
}
