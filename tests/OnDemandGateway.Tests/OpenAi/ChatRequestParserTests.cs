using System.Text;
using OnDemandGateway.Configuration;
using OnDemandGateway.OpenAi;

namespace OnDemandGateway.Tests.OpenAi;

public sealed class ChatRequestParserTests
{
    private static (ChatRequest? Request, OpenAiError? Error) Parse(string json, ToolsPolicy tools = ToolsPolicy.Reject, bool dropUnsupported = false) =>
        ChatRequestParser.Parse(Encoding.UTF8.GetBytes(json), tools, dropUnsupported);

    [Fact]
    public void Parse_FullRequest_KeepsOnlyWhatTheClientSet()
    {
        var (request, error) = Parse("""
            {"model":"gpt-4o","messages":[{"role":"system","content":"be nice"},{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}],
             "stream":true,"stream_options":{"include_usage":true},"temperature":0.5,"top_p":0.9,"stop":"END","max_tokens":100,"user":"u1","seed":3}
            """);
        Assert.Null(error);
        Assert.Equal("gpt-4o", request!.Model);
        Assert.Equal("a\nb", request.Messages[1].Content);
        Assert.True(request.Stream);
        Assert.True(request.IncludeUsage);
        Assert.Equal(0.5, request.Temperature);
        Assert.Equal(0.9, request.TopP);
        Assert.Null(request.PresencePenalty);
        Assert.Null(request.FrequencyPenalty);
        Assert.Equal(["END"], request.Stop);
        Assert.Equal(100, request.MaxTokens);
    }

    [Fact]
    public void Parse_MaxCompletionTokens_WinsOverMaxTokens()
    {
        var (request, _) = Parse("""{"messages":[{"role":"user","content":"x"}],"max_tokens":10,"max_completion_tokens":20}""");
        Assert.Equal(20, request!.MaxTokens);
    }

    [Theory]
    [InlineData("{not json", null, "invalid_json")]
    [InlineData("[1,2]", null, "invalid_json")]
    [InlineData("{}", "messages", "missing_required_parameter")]
    [InlineData("""{"messages":[]}""", "messages", "empty_array")]
    [InlineData("""{"messages":"hi"}""", "messages", "invalid_type")]
    [InlineData("""{"messages":[{"role":"wizard","content":"x"}]}""", "messages[0].role", "invalid_value")]
    [InlineData("""{"messages":[{"content":"x"}]}""", "messages[0].role", "missing_required_parameter")]
    [InlineData("""{"messages":[{"role":"user","content":5}]}""", "messages[0].content", "invalid_type")]
    [InlineData("""{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"http://x"}}]}]}""", "messages[0].content[0].type", "unsupported_content_type")]
    [InlineData("""{"model":7,"messages":[{"role":"user","content":"x"}]}""", "model", "invalid_type")]
    [InlineData("""{"messages":[{"role":"user","content":"x"}],"temperature":"hot"}""", "temperature", "invalid_type")]
    [InlineData("""{"messages":[{"role":"user","content":"x"}],"temperature":3}""", "temperature", "invalid_value")]
    [InlineData("""{"messages":[{"role":"user","content":"x"}],"n":2}""", "n", "unsupported_parameter")]
    [InlineData("""{"messages":[{"role":"user","content":"x"}],"stop":["a","b","c","d","e"]}""", "stop", "invalid_value")]
    [InlineData("""{"messages":[{"role":"user","content":"x"}],"stop":[1]}""", "stop", "invalid_type")]
    [InlineData("""{"messages":[{"role":"user","content":"x"}],"stream":"yes"}""", "stream", "invalid_type")]
    [InlineData("""{"messages":[{"role":"user","content":"x"}],"max_tokens":0}""", "max_tokens", "invalid_value")]
    [InlineData("""{"messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f"}}]}""", "tools", "unsupported_parameter")]
    public void Parse_ClientMistake_Is400NamingTheParameter(string json, string? param, string code)
    {
        var (request, error) = Parse(json);
        Assert.Null(request);
        Assert.Equal(400, error!.Status);
        Assert.Equal("invalid_request_error", error.Type);
        Assert.Equal(param, error.Param);
        Assert.Equal(code, error.Code);
    }

    [Fact]
    public void Parse_ToolsWithIgnorePolicy_IsAccepted()
    {
        var (request, error) = Parse("""{"messages":[{"role":"user","content":"x"}],"tools":[{"type":"function"}]}""", ToolsPolicy.Ignore);
        Assert.Null(error);
        Assert.NotNull(request);
    }

    [Fact]
    public void Parse_AssistantWithNullContent_IsAccepted()
    {
        var (request, error) = Parse("""{"messages":[{"role":"user","content":"x"},{"role":"assistant","content":null},{"role":"user","content":"y"}]}""");
        Assert.Null(error);
        Assert.Equal("", request!.Messages[1].Content);
    }

    [Theory]
    [InlineData(new byte[] { 0xC3, 0x28 }, 42)]   // a two-byte lead followed by '('
    [InlineData(new byte[] { 0xE9 }, 42)]         // "café" saved as Latin-1 / Windows-1252
    [InlineData(new byte[] { 0xED, 0xA0, 0xBD }, 42)]   // a surrogate encoded as UTF-8 (CESU-8), not UTF-8
    public void Parse_InvalidUtf8InAString_Is400SayingSo(byte[] bad, int offset)
    {
        byte[] body = [.. "{\"messages\":[{\"role\":\"user\",\"content\":\"caf"u8, .. bad, .. "\"}]}"u8];

        var (request, error) = ChatRequestParser.Parse(body, ToolsPolicy.Reject, dropUnsupported: false);

        Assert.Null(request);
        Assert.Equal(400, error!.Status);
        Assert.Equal("invalid_request_error", error.Type);
        Assert.Equal("invalid_json", error.Code);
        Assert.Contains("not valid UTF-8", error.Message);
        Assert.Contains($"offset {offset}", error.Message);
    }

    [Theory]
    [InlineData("""{"messages":[{"role":"user","content":"\ud83d"}]}""", "messages[0].content")]
    [InlineData("""{"messages":[{"role":"user","content":"cut mid-emoji \ud83d"}]}""", "messages[0].content")]
    [InlineData("""{"messages":[{"role":"user","content":"\ude00 low half alone"}]}""", "messages[0].content")]
    [InlineData("""{"messages":[{"role":"user","content":[{"type":"text","text":"\ud83d"}]}]}""", "messages[0].content[0].text")]
    [InlineData("""{"messages":[{"role":"user","content":["\ud83d"]}]}""", "messages[0].content[0]")]
    [InlineData("""{"messages":[{"role":"user","name":"\ud83d","content":"x"}]}""", "messages[0].name")]
    [InlineData("""{"messages":[{"role":"\ud83d","content":"x"}]}""", "messages[0].role")]
    [InlineData("""{"model":"\ud83d","messages":[{"role":"user","content":"x"}]}""", "model")]
    [InlineData("""{"messages":[{"role":"user","content":"x"}],"stop":"\ud83d"}""", "stop")]
    [InlineData("""{"messages":[{"role":"user","content":"x"}],"stop":["ok","\ud83d"]}""", "stop")]
    [InlineData("""{"messages":[{"role":"user","content":[{"type":"\ud83d"}]}]}""", "messages[0].content[0].type")]
    public void Parse_LoneSurrogateEscape_Is400NamingTheParameter(string json, string param)
    {
        var (request, error) = Parse(json);

        Assert.Null(request);
        Assert.Equal(400, error!.Status);
        Assert.Equal("invalid_request_error", error.Type);
        Assert.Equal(param, error.Param);
        Assert.Equal("invalid_value", error.Code);
        Assert.Contains("unpaired UTF-16 surrogate", error.Message);
    }

    [Fact]
    public void Parse_LoneSurrogateEscapeInAPropertyName_Is400()
    {
        var (request, error) = Parse("""{"\ud83d":1,"messages":[{"role":"user","content":"x"}]}""");

        Assert.Null(request);
        Assert.Equal(400, error!.Status);
        Assert.Equal("invalid_json", error.Code);
        Assert.Contains("unpaired UTF-16 surrogate", error.Message);
    }

    [Fact]
    public void Parse_PairedSurrogateEscapes_AreText()
    {
        var (request, error) = Parse("""{"messages":[{"role":"user","content":"\ud83d\ude00 caf\u00e9"}]}""");

        Assert.Null(error);
        Assert.Equal("😀 café", request!.Messages[0].Content);
    }

    [Theory]
    [InlineData("""{"messages":[{"role":"user","content":"x"}],"n":200}""", "n", "'n' must be an integer from 1 to 128 (got 200).")]
    [InlineData("""{"messages":[{"role":"user","content":"x"}],"n":0}""", "n", "'n' must be an integer from 1 to 128 (got 0).")]
    [InlineData("""{"messages":[{"role":"user","content":"x"}],"max_tokens":3000000000}""", "max_tokens", "'max_tokens' must be an integer from 1 to 2147483647 (got 3000000000).")]
    public void Parse_IntegerOutOfRange_MessageStatesTheRange(string json, string param, string message)
    {
        var (_, error) = Parse(json);

        Assert.Equal(param, error!.Param);
        Assert.Equal("invalid_value", error.Code);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Parse_ModelNameLongerThanAnyRealOne_Is400_AndOneAtTheLimitIsAccepted()
    {
        var (_, error) = Parse($"{{\"model\":\"{new string('m', ChatRequestParser.MaxModelLength + 1)}\",{User}}}");
        var (request, _) = Parse($"{{\"model\":\"{new string('m', ChatRequestParser.MaxModelLength)}\",{User}}}");

        Assert.Equal("model", error!.Param);
        Assert.Equal($"'model' must be at most 256 characters (got 257).", error.Message);
        Assert.Equal(ChatRequestParser.MaxModelLength, request!.Model!.Length);
    }

    private const string User = "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]";

    [Theory]
    [InlineData(""","response_format":{"type":"json_object"}""", "response_format", "no JSON mode")]
    [InlineData(""","response_format":{"type":"json_schema","json_schema":{"name":"answer","schema":{"type":"object"},"strict":true}}""", "response_format", "no JSON mode")]
    [InlineData(""","logprobs":true""", "logprobs", "no token log probabilities")]
    [InlineData(""","logprobs":true,"top_logprobs":5""", "logprobs", "no token log probabilities")]
    [InlineData(""","n":3""", "n", "one answer per query")]
    [InlineData(""","tools":[{"type":"function","function":{"name":"f"}}]""", "tools", "function calling")]
    public void Parse_ParameterTheUpstreamCannotHonour_Is400UnlessDropped(string extra, string param, string why)
    {
        var json = $"{{{User}{extra}}}";

        var (rejected, error) = Parse(json);
        Assert.Null(rejected);
        Assert.Equal(400, error!.Status);
        Assert.Equal("invalid_request_error", error.Type);
        Assert.Equal(param, error.Param);
        Assert.Equal("unsupported_parameter", error.Code);
        Assert.Contains(why, error.Message);
        Assert.Contains("drop_unsupported_params", error.Message);

        var (dropped, none) = Parse(json, dropUnsupported: true);
        Assert.Null(none);
        Assert.Equal("x", dropped!.Messages[0].Content);
    }

    [Theory]
    [InlineData(""","response_format":{"type":"text"}""")]
    [InlineData(""","response_format":null""")]
    [InlineData(""","logprobs":false""")]
    [InlineData(""","logprobs":null,"top_logprobs":null""")]
    [InlineData(""","n":1""")]
    public void Parse_WhatEveryAnswerIsAnyway_IsAccepted(string extra)
    {
        var (request, error) = Parse($"{{{User}{extra}}}");

        Assert.Null(error);
        Assert.NotNull(request);
    }

    [Theory]
    [InlineData(",\"response_format\":\"json_object\"", "response_format", "invalid_type")]
    [InlineData(""","response_format":{}""", "response_format.type", "missing_required_parameter")]
    [InlineData(""","response_format":{"type":7}""", "response_format.type", "invalid_type")]
    [InlineData(""","response_format":{"type":"yaml"}""", "response_format.type", "invalid_value")]
    [InlineData(",\"logprobs\":\"yes\"", "logprobs", "invalid_type")]
    [InlineData(""","n":500""", "n", "invalid_value")]
    public void Parse_MalformedEvenWhenDropping_Is400(string extra, string param, string code)
    {
        foreach (var drop in (bool[])[false, true])
        {
            var (request, error) = Parse($"{{{User}{extra}}}", dropUnsupported: drop);
            Assert.Null(request);
            Assert.Equal(param, error!.Param);
            Assert.Equal(code, error.Code);
        }
    }
}
