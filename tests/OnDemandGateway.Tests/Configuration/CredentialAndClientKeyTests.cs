using OnDemandGateway.Configuration;

namespace OnDemandGateway.Tests.Configuration;

public sealed class CredentialAndClientKeyTests
{
    [Fact]
    public void Load_AccountsMixEmailPasswordAndApiKey_KeepsBothKindsInOrder()
    {
        using var scenario = new ConfigScenario().WithFile("""
            {"accounts": [
              {"email": "ann@example.com", "password": "pw-ann"},
              {"api_key": "key-bob-0001"},
              {"email": "cy@example.com", "password": "pw-cy"}
            ]}
            """);

        var credentials = scenario.Load().Options.Credentials;

        Assert.Equal(
            [
                new CredentialOptions(CredentialKind.Account, null, "ann@example.com", "pw-ann"),
                new CredentialOptions(CredentialKind.ApiKey, "key-bob-0001", null, null),
                new CredentialOptions(CredentialKind.Account, null, "cy@example.com", "pw-cy"),
            ],
            credentials);
    }

    [Theory]
    [InlineData("""{"accounts": [{"api_key": "env-key-1"}, {"email": "e@x.io", "password": "p"}]}""")]
    [InlineData("""[{"api_key": "env-key-1"}, {"email": "e@x.io", "password": "p"}]""")]
    public void Load_OnDemandAccountsVariable_ReplacesFileAccounts(string json)
    {
        using var scenario = new ConfigScenario().WithFile("""{"accounts": [{"api_key": "file-key-1"}]}""");

        var credentials = scenario.Load(("ONDEMAND_ACCOUNTS", json)).Options.Credentials;

        Assert.Equal(["env-key-1", "e@x.io"], credentials.Select(c => c.ApiKey ?? c.Email));
    }

    [Fact]
    public void Load_OnDemandApiKeys_AddToAccountsAndDropRepeats()
    {
        using var scenario = new ConfigScenario().WithFile("""{"accounts": [{"email": "e@x.io", "password": "p"}, {"api_key": "key-a-000001"}]}""");

        var result = scenario.Load(("ONDEMAND_API_KEYS", " key-a-000001, key-b-000002 ,,key-c-000003"));

        Assert.Equal(["e@x.io", "key-a-000001", "key-b-000002", "key-c-000003"], result.Options.Credentials.Select(c => c.ApiKey ?? c.Email));
        var warning = Assert.Single(result.Warnings, w => w.Contains("more than once", StringComparison.Ordinal));
        Assert.DoesNotContain("key-a-000001", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_AccountEntryWithBothKinds_Throws()
    {
        using var scenario = new ConfigScenario().WithFile("""{"accounts": [{"api_key": "k", "email": "e@x.io", "password": "p"}]}""");

        Assert.Equal("""config.json: "accounts"[0] has both "api_key" and "email"/"password"; use one kind per entry""", scenario.LoadFails().Message);
    }

    [Fact]
    public void Load_ApiAccessTokenString_IsKeyOne()
    {
        using var scenario = new ConfigScenario().WithFile("""{"api_access_token": "sk-only"}""");

        Assert.Equal([new ClientKeyOptions("key-1", "sk-only")], scenario.Load().Options.ClientKeys);
    }

    [Fact]
    public void Load_ApiAccessTokenEmptyString_MeansNoneConfigured()
    {
        using var scenario = new ConfigScenario().WithFile("""{"api_access_token": ""}""");

        Assert.Empty(scenario.Load().Options.ClientKeys);
    }

    [Fact]
    public void Load_ApiAccessTokenList_NamesPlainStringsAndKeepsNamedLimits()
    {
        using var scenario = new ConfigScenario().WithFile("""
            {"api_access_token": [
              "sk-plain-1",
              {"name": "ci", "key": "sk-ci", "rate_limit_per_minute": 5},
              "sk-plain-2",
              {"key": "sk-unnamed"}
            ]}
            """);

        Assert.Equal(
            [
                new ClientKeyOptions("key-1", "sk-plain-1"),
                new ClientKeyOptions("ci", "sk-ci", 5),
                new ClientKeyOptions("key-2", "sk-plain-2"),
                new ClientKeyOptions("key-3", "sk-unnamed"),
            ],
            scenario.Load().Options.ClientKeys);
    }

    [Fact]
    public void Load_ApiAccessTokenDuplicateName_Throws()
    {
        using var scenario = new ConfigScenario().WithFile("""{"api_access_token": [{"name": "ci", "key": "a"}, {"name": "ci", "key": "b"}]}""");

        Assert.Equal("""config.json: "api_access_token"[1] uses the name "ci" twice""", scenario.LoadFails().Message);
    }

    [Fact]
    public void Load_ApiAccessTokenVariable_CommaSeparatedReplacesFileTokens()
    {
        using var scenario = new ConfigScenario().WithFile("""{"api_access_token": "sk-file"}""");

        var keys = scenario.Load(("API_ACCESS_TOKEN", "sk-env-1, sk-env-2")).Options.ClientKeys;

        Assert.Equal([new ClientKeyOptions("key-1", "sk-env-1"), new ClientKeyOptions("key-2", "sk-env-2")], keys);
    }

    [Fact]
    public void Load_PrivateKey_AddsPrivateKeyToken()
    {
        using var scenario = new ConfigScenario().WithFile("""{"api_access_token": "sk-file"}""");

        var keys = scenario.Load(("PRIVATE_KEY", "pk-secret")).Options.ClientKeys;

        Assert.Equal([new ClientKeyOptions("key-1", "sk-file"), new ClientKeyOptions("private-key", "pk-secret")], keys);
    }

    [Fact]
    public void Load_PrivateKeySameAsAccessToken_IsNotAddedTwice()
    {
        using var scenario = new ConfigScenario();

        var keys = scenario.Load(("API_ACCESS_TOKEN", "same"), ("PRIVATE_KEY", "same")).Options.ClientKeys;

        Assert.Equal([new ClientKeyOptions("key-1", "same")], keys);
    }
}
