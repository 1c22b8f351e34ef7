namespace OnDemandGateway.Configuration;

/// <summary>What start-up found worth telling the operator, logged once the loggers exist.</summary>
internal sealed record ConfigurationReport(IReadOnlyList<string> Warnings, string? GeneratedTokenPath, bool GeneratedTokenCreated)
{
    /// <summary>For a generated token: "shared" (PostgreSQL holds it) or "local" (DATA_DIR only); null when
    /// tokens are configured. See <see cref="Cluster.ClientTokenOrigins"/>.</summary>
    public string? GeneratedTokenOrigin { get; init; }
}
