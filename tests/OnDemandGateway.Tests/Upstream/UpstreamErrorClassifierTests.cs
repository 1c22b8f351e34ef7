using OnDemandGateway.Upstream;

namespace OnDemandGateway.Tests.Upstream;

public sealed class UpstreamErrorClassifierTests
{
    public static TheoryData<Exception> ConnectionEndsBeforeAnyAnswer => new()
    {
        // what UpstreamHttpClient throws when the server closes (FIN) before a status line
        new HttpRequestException(HttpRequestError.ResponseEnded, "The upstream closed the connection before answering."),
        // what a reset (RST) at the same point surfaces as
        new HttpIOException(HttpRequestError.ResponseEnded, "The upstream connection broke while reading the response.", new IOException("reset")),
    };

    [Theory]
    [MemberData(nameof(ConnectionEndsBeforeAnyAnswer))]
    public void FromException_ConnectionEndedBeforeAnyAnswer_IsTransport_HoweverTheConnectionEnded(Exception exception)
    {
        Assert.Equal(UpstreamErrorKind.Transport, UpstreamErrorClassifier.FromException(exception, clientAborted: false, timedOut: false).Kind);
    }

    [Fact]
    public void FromException_OurTokens_AreClientAbortedOrTimeout()
    {
        Assert.Equal(UpstreamErrorKind.ClientAborted, UpstreamErrorClassifier.FromException(new OperationCanceledException(), clientAborted: true, timedOut: false).Kind);
        Assert.Equal(UpstreamErrorKind.Timeout, UpstreamErrorClassifier.FromException(new OperationCanceledException(), clientAborted: false, timedOut: true).Kind);
    }
}
