namespace OnDemandGateway.Accounts;

/// <summary>A secret-free snapshot of one credential for <c>/api/accounts</c>, the dashboard and <c>/metrics</c>.</summary>
public sealed record CredentialStatus(
    string Id,
    string Kind,
    string State,
    DateTimeOffset? CoolingUntil,
    string? LastError,
    long Requests,
    long Failures,
    int InFlight);

/// <summary>States as reported: "ok", "cooling", "invalid".</summary>
public static class CredentialStates
{
    public const string Ok = "ok";
    public const string Cooling = "cooling";
    public const string Invalid = "invalid";
}
