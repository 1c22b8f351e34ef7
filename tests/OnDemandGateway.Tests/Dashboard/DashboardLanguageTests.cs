using Microsoft.AspNetCore.Http;
using OnDemandGateway.Dashboard;

namespace OnDemandGateway.Tests.Dashboard;

public sealed class DashboardLanguageTests
{
    [Theory]
    [InlineData("zh-CN,zh;q=0.9,en;q=0.8", "zh")]
    [InlineData("zh-TW", "zh")]
    [InlineData("en-US,en;q=0.9,zh-CN;q=0.8", "en")]
    [InlineData("fr-FR, zh;q=0.5", "zh")]
    [InlineData("en;q=0.4, zh;q=0.6", "zh")]
    [InlineData("de-DE", "en")]
    [InlineData("", "en")]
    [InlineData("%%%garbage", "en")]
    public void Pick_AcceptLanguage_ChoosesLanguage(string header, string expected)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.AcceptLanguage = header;
        Assert.Equal(expected, DashboardLanguage.Pick(context.Request));
    }

    [Fact]
    public void Pick_SwitchCookie_WinsOverHeader()
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.AcceptLanguage = "zh-CN";
        context.Request.Headers.Cookie = "odg_lang=en";
        Assert.Equal("en", DashboardLanguage.Pick(context.Request));
    }
}
