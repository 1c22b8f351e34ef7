using System.Text;
using OnDemandGateway.Upstream.Http;

namespace OnDemandGateway.Tests.Upstream.Http;

public sealed class ResponseHeadParserTests
{
    private static (ResponseHead Head, int Consumed) Parse(string wire)
    {
        Assert.True(ResponseHeadParser.TryParse(Encoding.Latin1.GetBytes(wire), out var head, out var consumed));
        return (head, consumed);
    }

    private static HttpRequestException ParseFails(string wire) =>
        Assert.Throws<HttpRequestException>(() => ResponseHeadParser.TryParse(Encoding.Latin1.GetBytes(wire), out _, out _));

    [Theory]
    [InlineData("")]
    [InlineData("HTTP/1.1 200 OK")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r")]
    [InlineData("HTTP/1.1 200 OK\nContent-Length: 2\n")]
    public void TryParse_IncompleteHead_ReturnsFalse(string wire)
    {
        Assert.False(ResponseHeadParser.TryParse(Encoding.Latin1.GetBytes(wire), out _, out var consumed));
        Assert.Equal(0, consumed);
    }

    [Fact]
    public void TryParse_WholeHead_ReadsStatusReasonAndConsumesUpToTheBlankLineOnly()
    {
        const string head = "HTTP/1.1 429 Too Many Requests\r\nContent-Length: 5\r\n\r\n";
        var (parsed, consumed) = Parse(head + "hello");
        Assert.Equal(429, parsed.Status);
        Assert.Equal("Too Many Requests", parsed.ReasonPhrase);
        Assert.Equal(head.Length, consumed);
        Assert.Equal(5, parsed.ContentLength);
        Assert.False(parsed.Chunked);
        Assert.False(parsed.ConnectionClose);
    }

    [Fact]
    public void TryParse_NoReasonPhrase_IsEmptyReason()
    {
        var (head, _) = Parse("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n");
        Assert.Equal(200, head.Status);
        Assert.Equal("", head.ReasonPhrase);
    }

    [Fact]
    public void TryParse_HeaderNamesAnyCaseAndPaddedValues_AreRead()
    {
        var (head, _) = Parse("HTTP/1.1 200 OK\r\ncOnTeNt-LeNgTh:\t 12 \r\nCONTENT-TYPE: application/json; charset=utf-8\r\n\r\n");
        Assert.Equal(12, head.ContentLength);
        Assert.Equal("application/json; charset=utf-8", head.ContentType);
    }

    [Fact]
    public void TryParse_RetryAfterAndContentType_AreKeptRaw()
    {
        var (head, _) = Parse("HTTP/1.1 503 Service Unavailable\r\nRetry-After: Wed, 21 Oct 2026 07:28:00 GMT\r\nContent-Type: text/event-stream\r\nContent-Length: 0\r\n\r\n");
        Assert.Equal("Wed, 21 Oct 2026 07:28:00 GMT", head.RetryAfter);
        Assert.Equal("text/event-stream", head.ContentType);
    }

    [Fact]
    public void TryParse_AbsentOptionalHeaders_AreNull()
    {
        var (head, _) = Parse("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        Assert.Null(head.RetryAfter);
        Assert.Null(head.ContentType);
    }

    [Fact]
    public void TryParse_Chunked_OverridesContentLength()
    {
        var (head, _) = Parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\nTransfer-Encoding: chunked\r\n\r\n");
        Assert.True(head.Chunked);
        Assert.Null(head.ContentLength);
        Assert.False(head.ConnectionClose);
    }

    [Fact]
    public void TryParse_ChunkedNotLastCoding_IsReadUntilClose()
    {
        var (head, _) = Parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n");
        Assert.False(head.Chunked);
        Assert.Null(head.ContentLength);
        Assert.True(head.ConnectionClose);
    }

    [Fact]
    public void TryParse_RepeatedEqualContentLengths_AreAccepted()
    {
        var (head, _) = Parse("HTTP/1.1 200 OK\r\nContent-Length: 7\r\nContent-Length: 7\r\n\r\n");
        Assert.Equal(7, head.ContentLength);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 7\r\nContent-Length: 8\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: seven\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 7x\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n")]
    public void TryParse_BadOrConflictingContentLength_IsInvalidResponse(string wire)
    {
        Assert.Equal(HttpRequestError.InvalidResponse, ParseFails(wire).HttpRequestError);
    }

    [Theory]
    [InlineData("garbage\r\n\r\n")]
    [InlineData("HTTP/2 200 OK\r\n\r\n")]
    [InlineData("HTTP/1.1 2x0 OK\r\n\r\n")]
    [InlineData("HTTP/1.1 099 Low\r\n\r\n")]
    [InlineData("HTTP/1.1  200 OK\r\n\r\n")]
    [InlineData("HTTP/1.1 20\r\n\r\n")]
    [InlineData("<html>hello</html>\n\n")]
    public void TryParse_GarbageStatusLine_IsInvalidResponse(string wire)
    {
        Assert.Equal(HttpRequestError.InvalidResponse, ParseFails(wire).HttpRequestError);
    }

    [Fact]
    public void TryParse_HeaderLineWithoutName_IsInvalidResponse()
    {
        Assert.Equal(HttpRequestError.InvalidResponse, ParseFails("HTTP/1.1 200 OK\r\n: value\r\n\r\n").HttpRequestError);
        Assert.Equal(HttpRequestError.InvalidResponse, ParseFails("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n").HttpRequestError);
    }

    [Fact]
    public void TryParse_Http10_ClosesUnlessKeepAlive()
    {
        Assert.True(Parse("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n").Head.ConnectionClose);
        Assert.False(Parse("HTTP/1.0 200 OK\r\nContent-Length: 2\r\nConnection: Keep-Alive\r\n\r\n").Head.ConnectionClose);
    }

    [Fact]
    public void TryParse_Http11_StaysOpenUnlessConnectionClose()
    {
        Assert.False(Parse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n").Head.ConnectionClose);
        Assert.True(Parse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n").Head.ConnectionClose);
        Assert.True(Parse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: upgrade, Close\r\n\r\n").Head.ConnectionClose);
    }

    [Fact]
    public void TryParse_NoLengthAndNotChunked_IsDelimitedByClose()
    {
        var (head, _) = Parse("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n");
        Assert.Null(head.ContentLength);
        Assert.False(head.Chunked);
        Assert.True(head.ConnectionClose);
    }

    [Theory]
    [InlineData(204)]
    [InlineData(304)]
    public void TryParse_204And304_HaveNoBodyWhateverTheHeadersSay(int status)
    {
        var (head, _) = Parse($"HTTP/1.1 {status} Nothing\r\nTransfer-Encoding: chunked\r\nContent-Length: 40\r\n\r\n");
        Assert.True(head.HasNoBody);
        Assert.Equal(0, head.ContentLength);
        Assert.False(head.Chunked);
        Assert.False(head.ConnectionClose);
    }

    [Fact]
    public void TryParse_NoBodyStatusWithoutLength_KeepsTheConnection()
    {
        var (head, _) = Parse("HTTP/1.1 204 No Content\r\n\r\n");
        Assert.Equal(0, head.ContentLength);
        Assert.False(head.ConnectionClose);
    }

    [Fact]
    public void TryParse_100Continue_HasNoBody()
    {
        var (head, consumed) = Parse("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\n");
        Assert.Equal(100, head.Status);
        Assert.True(head.HasNoBody);
        Assert.Equal("HTTP/1.1 100 Continue\r\n\r\n".Length, consumed);
    }

    [Fact]
    public void TryParse_LfOnlyLineEnds_AreAccepted()
    {
        const string head = "HTTP/1.1 201 Created\nContent-Length: 3\nContent-Type: application/json\nRetry-After: 5\n\n";
        var (parsed, consumed) = Parse(head + "abc");
        Assert.Equal(201, parsed.Status);
        Assert.Equal("Created", parsed.ReasonPhrase);
        Assert.Equal(3, parsed.ContentLength);
        Assert.Equal("application/json", parsed.ContentType);
        Assert.Equal("5", parsed.RetryAfter);
        Assert.Equal(head.Length, consumed);
    }

    [Fact]
    public void TryParse_BodyContainingBlankLines_DoesNotMoveTheHeadEnd()
    {
        const string head = "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n";
        var (_, consumed) = Parse(head + "a\n\nb\r\n");
        Assert.Equal(head.Length, consumed);
    }
}
