using Microsoft.AspNetCore.Http;

namespace OnDemandGateway.FakeUpstream.Hosting;

/// <summary>One request in flight: its context, its recorded call, and who ended it (client or fake).</summary>
internal sealed class FakeExchange(HttpContext context, FakeCall call, CancellationToken stopping) : IDisposable
{
    private CancellationTokenSource? _linked;

    public HttpContext Context { get; } = context;
    public FakeCall Call { get; } = call;

    /// <summary>The fake cut the connection on purpose (Reset, Abort step, shutdown).</summary>
    public bool ResetByServer { get; private set; }

    public bool ServerStopping => stopping.IsCancellationRequested;

    /// <summary>Cancelled when the client goes away or the server stops. Linked lazily: most calls never wait.</summary>
    public CancellationToken WaitToken =>
        (_linked ??= CancellationTokenSource.CreateLinkedTokenSource(Context.RequestAborted, stopping)).Token;

    public void Abort()
    {
        ResetByServer = true;
        Context.Abort();
    }

    /// <summary>Records a client abort; safe to call more than once and ignored once the answer was finished.</summary>
    public void OnRequestAborted()
    {
        if (Context.RequestAborted.IsCancellationRequested && !ResetByServer && !stopping.IsCancellationRequested)
        {
            Call.MarkClientAborted();
        }
    }

    public Task WaitForeverAsync() => Task.Delay(Timeout.InfiniteTimeSpan, WaitToken);

    public void Dispose() => _linked?.Dispose();
}
