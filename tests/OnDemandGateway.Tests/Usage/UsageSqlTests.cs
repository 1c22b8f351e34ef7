using OnDemandGateway.Usage;
using OnDemandGateway.Usage.Storage;

namespace OnDemandGateway.Tests.Usage;

public sealed class UsageSqlTests
{
    [Fact]
    public void Name_EveryOutcomeAndTokenSource_IsTheEnumName()
    {
        // Stored names are read back with Enum.Parse: the cached table must match ToString() exactly.
        foreach (var outcome in Enum.GetValues<UsageOutcome>()) Assert.Equal(outcome.ToString(), UsageSql.Name(outcome));
        foreach (var source in Enum.GetValues<TokenSource>()) Assert.Equal(source.ToString(), UsageSql.Name(source));
    }

    [Fact]
    public void Clean_TextWithoutNul_ReturnsSameInstance()
    {
        var text = new string('x', 40);
        Assert.Same(text, UsageSql.Clean(text));
        Assert.Equal("ab", UsageSql.Clean("a\0b"));
        Assert.Null(UsageSql.Clean(null));
    }
}
