namespace OnDemandGateway.Configuration;

/// <summary>What start-up found worth telling the operator, logged once the loggers exist.</summary>
internal sealed record ConfigurationReport(IReadOnlyList<string> Warnings, string? GeneratedTokenPath, bool GeneratedTokenCreated);
