namespace OnDemandGateway.Configuration;

/// <summary>The validated options plus non-fatal findings (unknown keys, duplicates) to log at start-up.</summary>
internal sealed record ConfigLoadResult(GatewayOptions Options, IReadOnlyList<string> Warnings);
