using OnDemandGateway.Accounts;
using OnDemandGateway.Cluster;
using OnDemandGateway.Configuration;

namespace OnDemandGateway.Tests.Cluster;

public sealed class CredentialChangeTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Merge_TwoCooldowns_KeepsTheLonger()
    {
        var merged = new CredentialChange(CoolingUntil: T0.AddSeconds(90)).Merge(new CredentialChange(CoolingUntil: T0.AddSeconds(30)));
        Assert.Equal(T0.AddSeconds(90), merged.CoolingUntil);
        Assert.False(merged.ValidityChanged);
    }

    [Fact]
    public void Merge_InvalidThenValid_LaterValidityAndErrorWin()
    {
        var merged = new CredentialChange(ValidityChanged: true, InvalidSince: T0, LastError: "401")
            .Merge(new CredentialChange(ValidityChanged: true))
            .Merge(new CredentialChange(LastError: "500"));
        Assert.True(merged.ValidityChanged);
        Assert.Null(merged.InvalidSince);
        Assert.Equal("500", merged.LastError);
    }

    [Fact]
    public void Merge_ValidityUntouchedLater_KeepsEarlierInvalid()
    {
        var merged = new CredentialChange(ValidityChanged: true, InvalidSince: T0).Merge(new CredentialChange(CoolingUntil: T0.AddSeconds(5)));
        Assert.Equal(T0, merged.InvalidSince);
        Assert.Equal(T0.AddSeconds(5), merged.CoolingUntil);
    }

    [Fact]
    public void CredentialIdentity_SameConfiguration_SameIdWithoutTheSecret()
    {
        var key = new CredentialOptions(CredentialKind.ApiKey, "sk-very-secret-key-0001", null, null);
        var account = new CredentialOptions(CredentialKind.Account, null, "Ops@Example.com", "hunter22");

        Assert.Equal(CredentialIdentity.Of(key), CredentialIdentity.Of(key with { }));
        Assert.Equal(CredentialIdentity.Of(account), CredentialIdentity.Of(account with { Email = "ops@example.com" }));
        Assert.NotEqual(CredentialIdentity.Of(account), CredentialIdentity.Of(account with { Password = "other" }));
        Assert.NotEqual(CredentialIdentity.Of(key), CredentialIdentity.Of(key with { ApiKey = "sk-very-secret-key-0002" }));
        Assert.DoesNotContain("secret", CredentialIdentity.Of(key), StringComparison.Ordinal);
        Assert.DoesNotContain("example", CredentialIdentity.Of(account), StringComparison.Ordinal);
    }
}
