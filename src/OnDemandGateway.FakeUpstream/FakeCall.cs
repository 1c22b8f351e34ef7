using System.Text;
using System.Text.Json;

namespace OnDemandGateway.FakeUpstream;

/// <summary>One request the fake received (signin, refresh, session creation or query), as scripts and tests see it.</summary>
public sealed class FakeCall
{
    private static readonly IReadOnlyDictionary<string, string> NoHeaders =
        new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    private readonly byte[] _body;
    private string? _bodyText;
    private readonly TaskCompletionSource _aborted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _state; // 0 running, 1 finished, 2 aborted by the client

    internal FakeCall(FakeCallKind kind, int index, string path, byte[] body, IReadOnlyDictionary<string, string>? headers)
    {
        Kind = kind;
        Index = index;
        Path = path;
        _body = body;
        Headers = headers ?? NoHeaders;
    }

    public FakeCallKind Kind { get; }

    /// <summary>Global, 1-based call number across all kinds.</summary>
    public int Index { get; }

    public string Path { get; }

    /// <summary>The apikey, or the account email (from Basic auth, the bearer token or the refresh token); null when unknown.</summary>
    public string? Credential { get; internal set; }

    /// <summary>The session a query targets, or the id a session creation returned.</summary>
    public string? SessionId { get; internal set; }

    /// <summary>Request headers (case-insensitive). Empty when the server neither records calls nor has a script to feed.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>The raw request body.</summary>
    public string Body => _bodyText ??= Encoding.UTF8.GetString(_body);

    public string? Query { get; internal set; }

    public string? EndpointId { get; internal set; }

    public string? ResponseMode { get; internal set; }

    /// <summary>The <c>modelConfigs</c> object exactly as sent, or null when absent.</summary>
    public JsonElement? ModelConfigs { get; internal set; }

    /// <summary>The HTTP status the fake answered with (0 while running, or when the connection was reset).</summary>
    public int StatusCode { get; internal set; }

    /// <summary>Completes when the client went away before the fake finished this call; never completes otherwise.</summary>
    public Task Aborted => _aborted.Task;

    /// <summary>Completes when the fake is done with this call, whatever the outcome.</summary>
    public Task Completed => _completed.Task;

    internal ReadOnlyMemory<byte> RawBody => _body;

    /// <summary>The answer is fully written: a disconnect from now on is a normal client close, not an abort.</summary>
    internal void MarkFinished() => Interlocked.CompareExchange(ref _state, 1, 0);

    internal void MarkClientAborted()
    {
        if (Interlocked.CompareExchange(ref _state, 2, 0) == 0)
        {
            _aborted.TrySetResult();
        }
    }

    internal void MarkCompleted(int statusCode)
    {
        StatusCode = statusCode;
        MarkFinished();
        _completed.TrySetResult();
    }

    public override string ToString() => $"#{Index} {Kind} {Path} -> {StatusCode}";
}
