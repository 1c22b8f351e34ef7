using Microsoft.Extensions.Logging;
using OnDemandGateway.Logging;

namespace OnDemandGateway.Tests.Logging;

public sealed class LogLineFormatterTests
{
    private static readonly FixedTimeProvider Clock = new(new DateTimeOffset(2026, 3, 13, 13, 7, 38, 7, TimeSpan.Zero));

    private static string Render(string? format, LogLevel level, string message, IExternalScopeProvider? scopes = null, Exception? exception = null) =>
        new LogLineFormatter(LogLineFormat.Parse(format), Clock).FormatLine(level, "OnDemandGateway.Relay", message, exception, scopes);

    [Fact]
    public void FormatLine_FlaskPlaceholders_RenderLikePythonLogging()
    {
        var line = Render("%(asctime)s %(name)s %(levelname)s %(message)s", LogLevel.Warning, "upstream slow");

        Assert.Equal("2026-03-13 13:07:38,007 OnDemandGateway.Relay WARNING upstream slow", line);
    }

    [Fact]
    public void FormatLine_WidthPrecisionAndPercentForms_PadAndTruncate()
    {
        var line = Render("[%(levelname)-8s][%(levelname)8s] %(msecs)03d %(levelno)d %(name).6s 100%%", LogLevel.Information, "x");

        Assert.Equal("[INFO    ][    INFO] 007 20 OnDema 100%", line);
    }

    [Theory]
    [InlineData("50% done %(message)s", "50% done m")]
    [InlineData("%%(message)s", "%(message)s")]
    [InlineData("%(message", "%(message")]
    [InlineData("%(1x)s %(message)s", "%(1x)s m")]
    [InlineData("%(message)5.z|%(message)5.s", "%(message)5.z|%(message)5.s")]
    [InlineData("%(message)-4sEND%", "m   END%")]
    [InlineData("%(message)99999999999s", "%(message)99999999999s")]
    [InlineData("%(levelname)07.3s|%(levelno)04d", "    INF|0020")]
    public void FormatLine_TextThatIsNoPlaceholder_StaysAsWritten(string format, string expected) =>
        Assert.Equal(expected, Render(format, LogLevel.Information, "m"));

    [Fact]
    public void FormatLine_DefaultFormatOutsideRequest_ShowsDashForRequestId()
    {
        Assert.Equal("2026-03-13 13:07:38,007 ERROR [-] OnDemandGateway.Relay: failed", Render(null, LogLevel.Error, "failed"));
    }

    [Fact]
    public void FormatLine_InsideRequestIdScope_ShowsInnermostRequestId()
    {
        var scopes = new LoggerExternalScopeProvider();
        using (scopes.Push("unrelated scope"))
        using (scopes.Push(new RequestIdScope("req-42")))
        {
            Assert.Equal("2026-03-13 13:07:38,007 DEBUG [req-42] OnDemandGateway.Relay: hi", Render(null, LogLevel.Debug, "hi", scopes));
        }
    }

    [Fact]
    public void FormatLine_UnknownPlaceholder_RendersDashAndIsReported()
    {
        var format = LogLineFormat.Parse("%(funcName)s:%(lineno)d %(message)s");

        Assert.Equal(["funcName", "lineno"], format.UnknownPlaceholders);
        Assert.Equal("-:- m", Render("%(funcName)s:%(lineno)d %(message)s", LogLevel.Information, "m"));
    }

    [Fact]
    public void FormatLine_WithException_AppendsItOnFollowingLines()
    {
        var line = Render("%(levelname)s %(message)s", LogLevel.Critical, "boom", exception: new InvalidOperationException("bad state"));

        Assert.StartsWith("CRITICAL boom" + Environment.NewLine + "System.InvalidOperationException: bad state", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("DEBUG", LogLevel.Debug)]
    [InlineData("info", LogLevel.Information)]
    [InlineData("WARNING", LogLevel.Warning)]
    [InlineData("warn", LogLevel.Warning)]
    [InlineData("CRITICAL", LogLevel.Critical)]
    [InlineData("Information", LogLevel.Information)]
    [InlineData("Trace", LogLevel.Trace)]
    public void TryParse_FlaskAndDotNetNames_Accepted(string text, LogLevel expected)
    {
        Assert.True(LogLevelNames.TryParse(text, out var level));
        Assert.Equal(expected, level);
    }

    [Fact]
    public void TryParse_UnknownName_Rejected() => Assert.False(LogLevelNames.TryParse("LOUD", out _));
}
