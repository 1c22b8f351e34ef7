namespace OnDemandGateway.Accounts;

/// <summary>Told about every change the pool makes to a credential's state, so other gateway instances can
/// learn it (PostgreSQL when several instances share one database). Must return at once: it runs on the
/// request path, so implementations queue the change and publish it in the background.</summary>
internal interface ICredentialStateSync
{
    void Publish(CredentialState credential, CredentialChange change);
}
