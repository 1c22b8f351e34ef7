using OnDemandGateway.Logging;

namespace OnDemandGateway.Tests.Logging;

public sealed class LogSafeTextTests
{
    [Theory]
    [InlineData("gpt-4o")]
    [InlineData("org/model name")]
    [InlineData("modèle-é")]
    public void ForLog_PrintableAndShort_IsTheSameString(string value)
    {
        Assert.Same(value, LogSafeText.ForLog(value, 200));
    }

    [Theory]
    [InlineData("a\nb", "a\\nb")]
    [InlineData("a\r\nb\tc", "a\\r\\nb\\tc")]
    [InlineData("a\u0085b\u2028c\u001bd\u007f", "a\\u0085b\\u2028c\\u001bd\\u007f")]
    [InlineData("a\\nb", "a\\\\nb")]
    public void ForLog_ControlCharacters_AreEscapedOnOneLine(string value, string logged)
    {
        Assert.Equal(logged, LogSafeText.ForLog(value, 200));
    }

    [Fact]
    public void ForLog_Longer_IsCutWithItsLengthNoted()
    {
        Assert.Equal("aaaaa...(12 chars)", LogSafeText.ForLog(new string('a', 12), 5));
        Assert.Equal("aaaa...(7 chars)", LogSafeText.ForLog("aaaa\U0001F600b", 5));   // not half of the emoji's pair
    }
}
