using System.Collections.Concurrent;
using OnDemandGateway.FakeUpstream.Auth;
using OnDemandGateway.FakeUpstream.Sessions;

namespace OnDemandGateway.FakeUpstream.Hosting;

/// <summary>Everything the fake's endpoints share: options, credentials, sessions, scripts and counters.</summary>
internal sealed class FakeServerState(FakeOnDemandOptions options)
{
    private readonly ConcurrentQueue<FakeReply> _queue = new();
    private readonly CancellationTokenSource _stopping = new();
    private int _callIndex;
    private int _signins;
    private int _refreshes;
    private int _queries;
    private long _messageNumber;
    private volatile Func<FakeCall, FakeReply?>? _handler;

    public FakeOnDemandOptions Options { get; } = options;
    public FakeCredentialStore Credentials { get; } = new(options.TimeProvider, options.AcceptAnyCredential);
    public FakeSessionStore Sessions { get; } = new();
    public FakeCallLog Calls { get; } = new();
    public Func<FakeCall, FakeReply?>? Handler
    {
        get => _handler;
        set => _handler = value;
    }

    public CancellationToken Stopping => _stopping.Token;
    public int SigninCount => Volatile.Read(ref _signins);
    public int RefreshCount => Volatile.Read(ref _refreshes);
    public int QueryCount => Volatile.Read(ref _queries);
    public int CallCount => Volatile.Read(ref _callIndex);
    public int PendingReplies => _queue.Count;

    /// <summary>Whether anyone can look at a call's headers and body: a recorder or a script.</summary>
    public bool Observed => Options.RecordCalls || Handler is not null || !_queue.IsEmpty;

    public int NextCallIndex() => Interlocked.Increment(ref _callIndex);
    public string NextMessageId() => $"msg-{Interlocked.Increment(ref _messageNumber):D6}";
    public void CountSignin() => Interlocked.Increment(ref _signins);
    public void CountRefresh() => Interlocked.Increment(ref _refreshes);
    public void CountQuery() => Interlocked.Increment(ref _queries);

    public void Enqueue(FakeReply reply) => _queue.Enqueue(reply);

    /// <summary>The scripted reply for a call that passed validation: queued replies first (queries only), then
    /// the handler; null = default behaviour. A gated reply (<see cref="FakeReply.After"/>) is returned once its
    /// gate has completed.</summary>
    public async Task<FakeReply?> NextReplyAsync(FakeExchange x)
    {
        var reply = NextReply(x.Call);
        if (reply?.Gate is { } gate)
        {
            await gate.WaitAsync(x.WaitToken);
        }
        return reply;
    }

    private FakeReply? NextReply(FakeCall call)
    {
        if (call.Kind == FakeCallKind.Query && _queue.TryDequeue(out var queued))
        {
            return queued;
        }

        return Handler?.Invoke(call);
    }

    public void Stop() => _stopping.Cancel();
}
