using OnDemandGateway.Accounts;

namespace OnDemandGateway.Tests.TestSupport;

/// <summary>A credential pool snapshot that tests set directly.</summary>
internal sealed class StaticCredentialStatusSource : ICredentialStatusSource
{
    public IReadOnlyList<CredentialStatus> Credentials { get; set; } = [];

    public IReadOnlyList<CredentialStatus> Snapshot() => Credentials;
}
