namespace OnDemandGateway.Accounts;

/// <summary>Why no credential could be leased right now.</summary>
internal enum AcquireOutcome
{
    Leased,
    /// <summary>No credentials are configured.</summary>
    NoneConfigured,
    /// <summary>Every usable credential is cooling down; <see cref="AcquireResult.RetryAfter"/> says for how long.</summary>
    AllCooling,
    /// <summary>Every credential is marked invalid.</summary>
    AllInvalid,
    /// <summary>Every usable credential is at its concurrency limit.</summary>
    AllBusy,
}

internal readonly record struct AcquireResult(AcquireOutcome Outcome, CredentialLease? Lease, TimeSpan RetryAfter)
{
    public static AcquireResult Of(CredentialLease lease) => new(AcquireOutcome.Leased, lease, TimeSpan.Zero);
}
