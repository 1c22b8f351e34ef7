using OnDemandGateway.Auth;
using OnDemandGateway.Configuration;

namespace OnDemandGateway.Tests.Auth;

/// <summary>Which presented tokens a configured key ring accepts, and as which key.</summary>
public sealed class ClientKeyRingTests
{
    private static readonly string LongToken = "sk-" + new string('x', ClientKeyRing.PaddedLength + 40);

    private static ClientKeyRing Ring() => new([
        new ClientKeyOptions("alice", "sk-alice-0123456789"),
        new ClientKeyOptions("bob", "sk-böb-ünïcode-✓"),
        new ClientKeyOptions("long", LongToken),
    ]);

    [Theory]
    [InlineData("sk-alice-0123456789", "alice")]
    [InlineData("sk-böb-ünïcode-✓", "bob")]
    public void TryAuthenticate_ConfiguredToken_IsThatKey(string token, string name)
    {
        Assert.True(Ring().TryAuthenticate(token, out var key));
        Assert.Equal(name, key.Name);
    }

    [Fact]
    public void TryAuthenticate_TokenLongerThanThePaddedBlock_IsMatchedThroughItsDigest()
    {
        Assert.True(Ring().TryAuthenticate(LongToken, out var key));
        Assert.Equal("long", key.Name);
        Assert.False(Ring().TryAuthenticate(LongToken + "y", out _));
        Assert.False(Ring().TryAuthenticate(LongToken[..^1], out _));
    }

    [Theory]
    [InlineData("sk-alice-0123456780")]   // last character differs
    [InlineData("sk-alice-012345678")]    // a prefix
    [InlineData("sk-alice-01234567890")]  // one character more
    [InlineData("sk-alice-0123456789\0")] // padded with the byte the comparison pads with
    [InlineData("SK-ALICE-0123456789")]
    [InlineData("sk-bob-unicode-?")]
    [InlineData("")]
    [InlineData(null)]
    public void TryAuthenticate_AnyOtherToken_IsRefused(string? token)
    {
        Assert.False(Ring().TryAuthenticate(token, out var key));
        Assert.Null(key);
    }
}
