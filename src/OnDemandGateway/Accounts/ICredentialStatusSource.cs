namespace OnDemandGateway.Accounts;

public interface ICredentialStatusSource
{
    IReadOnlyList<CredentialStatus> Snapshot();
}
