namespace OnDemandGateway.Tests;

public sealed class SmokeTests
{
    [Fact]
    public void Secrets_Mask_HidesMiddle() => Assert.Equal("abcd…wxyz", OnDemandGateway.Configuration.Secrets.Mask("abcdefghijklmnopqrstuvwxyz"));
}
