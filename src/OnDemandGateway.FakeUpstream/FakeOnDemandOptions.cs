namespace OnDemandGateway.FakeUpstream;

/// <summary>How a <see cref="FakeOnDemandServer"/> behaves. Read once at start; immutable afterwards.</summary>
public sealed class FakeOnDemandOptions
{
    /// <summary>TCP port on 127.0.0.1; 0 picks a free ephemeral port.</summary>
    public int Port { get; init; }

    /// <summary>Any non-empty apikey and any email + password are valid (demos). Accounts are then created on first signin.</summary>
    public bool AcceptAnyCredential { get; init; }

    /// <summary>The refresh answer carries only <c>data.token</c>; the client must keep its old refresh token.</summary>
    public bool RefreshOmitsRefreshToken { get; init; }

    /// <summary>Status of a successful session creation: 200 or 201 (real servers answer 201).</summary>
    public int SessionCreatedStatus { get; init; } = 201;

    /// <summary>How many fulfillment frames an <see cref="FakeReply.Answer"/> (or the default reply) is split into.</summary>
    public int StreamDeltas { get; init; } = 8;

    /// <summary>When set, the answer to every unscripted query (and the OpenAI-shaped mode's canned answer) is this
    /// text instead of "Fake answer to: ..."; benchmarks need answers long enough for hundreds of deltas.</summary>
    public string? AnswerText { get; init; }

    /// <summary>Wait before each delta, to pace streams like a model does. Sync answers wait deltas × this in total.</summary>
    public TimeSpan DeltaDelay { get; init; } = TimeSpan.Zero;

    /// <summary>While a stream waits longer than this, a heartbeat frame is sent every interval; null = never.</summary>
    public TimeSpan? HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>No per-request logging (benchmarks). Behaviour is otherwise identical.</summary>
    public bool Quiet { get; init; }

    /// <summary>Also serve an OpenAI-shaped <c>POST /v1/chat/completions</c> (baseline upstream for benchmarks).</summary>
    public bool OpenAiMode { get; init; }

    /// <summary>Keep <see cref="FakeOnDemandServer.Calls"/> and per-session query history. Turn off for long
    /// benchmark runs so memory stays flat; counters and validation keep working.</summary>
    public bool RecordCalls { get; init; } = true;

    /// <summary>Clock for delays, heartbeat timestamps and token expiry claims.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Port, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Port, 65535);
        if (SessionCreatedStatus is not (200 or 201))
        {
            throw new ArgumentOutOfRangeException(nameof(SessionCreatedStatus), SessionCreatedStatus, "Must be 200 or 201.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(StreamDeltas, 1);
        if (AnswerText is { Length: 0 })
        {
            throw new ArgumentException("Must be null or non-empty.", nameof(AnswerText));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(DeltaDelay, TimeSpan.Zero);
        if (HeartbeatInterval is { } hb && hb <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(HeartbeatInterval), hb, "Must be positive, or null to disable heartbeats.");
        }

        ArgumentNullException.ThrowIfNull(TimeProvider);
    }
}
