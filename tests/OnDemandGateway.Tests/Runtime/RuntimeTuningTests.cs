using System.Text;
using OnDemandGateway.Runtime;

namespace OnDemandGateway.Tests.Runtime;

public sealed class RuntimeTuningTests
{
    [Fact]
    public void NeedsRestart_NothingSet_OnLinuxOnly()
    {
        Assert.Equal(OperatingSystem.IsLinux(), RuntimeTuning.NeedsRestart(_ => null));
    }

    [Theory]
    [InlineData("DOTNET_TC_CallCountingDelayMs", "100")]
    [InlineData("DOTNET_TC_CallCountingDelayMs", "0")]
    [InlineData("COMPlus_TC_CallCountingDelayMs", "0")]
    [InlineData("ODG_RUNTIME_TUNING", "0")]
    public void NeedsRestart_OperatorChoseOrSecondStart_NoRestart(string name, string value)
    {
        Assert.False(RuntimeTuning.NeedsRestart(n => n == name ? value : null));
    }

    [Fact]
    public void ReadCommandLine_NulSeparatedArguments_ComeBackAsGiven()
    {
        var raw = Encoding.UTF8.GetBytes("/opt/odg/OnDemandGateway\0--urls\0http://127.0.0.1:7860\0naïve arg\0");

        Assert.Equal(["/opt/odg/OnDemandGateway", "--urls", "http://127.0.0.1:7860", "naïve arg"], RuntimeTuning.ReadCommandLine(raw));
    }

    [Fact]
    public void ReadCommandLine_EmptyArgument_IsKept()
    {
        Assert.Equal(["gw", "", "x"], RuntimeTuning.ReadCommandLine("gw\0\0x\0"u8));
    }
}
