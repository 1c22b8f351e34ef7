namespace OnDemandGateway.Cluster;

/// <summary>Values of <see cref="ClusterState.ClientToken"/>.</summary>
internal static class ClientTokenOrigins
{
    public const string Configured = "configured";
    public const string Shared = "shared";
    public const string Local = "local";
    public const string Mismatch = "mismatch";
}
