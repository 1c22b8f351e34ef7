using OnDemandGateway.FakeUpstream;

namespace OnDemandGateway.Tests.FakeUpstream;

/// <summary>The fake's command line: options mapping and clear failures.</summary>
public sealed class FakeCommandLineTests
{
    [Fact]
    public void Parse_AllOptions_MapsToOptionsAndCredentials()
    {
        var line = FakeCommandLine.Parse(
            ["--port", "9100", "--api-key", "k1", "--api-key=k2", "--account", "a@b.c:p:w", "--accept-any", "--deltas", "3",
             "--delta-delay-ms", "25", "--heartbeat-ms", "0", "--quiet", "--openai-mode", "--session-status", "200",
             "--refresh-omits-refresh-token"],
            out var error);

        Assert.Null(error);
        Assert.NotNull(line);
        var o = line.Options;
        Assert.Equal(9100, o.Port);
        Assert.Equal(["k1", "k2"], line.ApiKeys);
        Assert.Equal([("a@b.c", "p:w")], line.Accounts);
        Assert.True(o.AcceptAnyCredential && o.Quiet && o.OpenAiMode && o.RefreshOmitsRefreshToken);
        Assert.Equal(3, o.StreamDeltas);
        Assert.Equal(TimeSpan.FromMilliseconds(25), o.DeltaDelay);
        Assert.Null(o.HeartbeatInterval);
        Assert.Equal(200, o.SessionCreatedStatus);
        Assert.False(o.RecordCalls);
    }

    [Fact]
    public void Parse_AnswerChars_AnswersWithFixedTextOfThatLength()
    {
        var line = FakeCommandLine.Parse(["--answer-chars", "2000"], out var error);

        Assert.Null(error);
        Assert.Equal(2000, line!.Options.AnswerText!.Length);
        Assert.StartsWith("The quick brown fox", line.Options.AnswerText);
        Assert.Null(FakeCommandLine.Parse([], out _)!.Options.AnswerText);
    }

    [Fact]
    public void Parse_NoArguments_UsesDocumentedDefaults()
    {
        var line = FakeCommandLine.Parse([], out var error);

        Assert.Null(error);
        Assert.Equal(9100, line!.Options.Port);
        Assert.Equal(8, line.Options.StreamDeltas);
        Assert.Equal(TimeSpan.FromSeconds(3), line.Options.HeartbeatInterval);
        Assert.Equal(201, line.Options.SessionCreatedStatus);
    }

    [Theory]
    [InlineData("--port", "http")]
    [InlineData("--port", "70000")]
    [InlineData("--deltas", "0")]
    [InlineData("--session-status", "204")]
    [InlineData("--account", "no-colon")]
    [InlineData("--api-key", "")]
    [InlineData("--frobnicate", "1")]
    public void Parse_BadArgument_ReturnsClearError(string name, string value)
    {
        var line = FakeCommandLine.Parse([name, value], out var error);

        Assert.Null(line);
        Assert.NotNull(error);
        Assert.Contains(name, error);
    }

    [Fact]
    public async Task Main_BadArgument_ReturnsExitCode2()
    {
        var originalError = Console.Error;
        using var captured = new StringWriter();
        Console.SetError(captured);
        int code;
        try
        {
            code = await FakeProgram.Main(["--port"]);
        }
        finally
        {
            Console.SetError(originalError);
        }

        Assert.Equal(2, code);
        Assert.Contains("--port", captured.ToString());
    }
}
