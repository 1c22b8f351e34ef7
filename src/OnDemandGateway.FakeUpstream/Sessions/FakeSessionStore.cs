using System.Collections.Concurrent;

namespace OnDemandGateway.FakeUpstream.Sessions;

/// <summary>All sessions created on this server. Sessions are never deleted (the real API has no delete call).</summary>
internal sealed class FakeSessionStore
{
    private readonly ConcurrentDictionary<string, FakeSession> _sessions = new(StringComparer.Ordinal);
    private long _number;

    public int Count => _sessions.Count;

    public FakeSession Create(bool accountMode, string owner, string companyId, string externalUserId)
    {
        // Sequential ids keep test output readable; the random tail makes ids from two fakes distinct.
        var id = $"sess-{Interlocked.Increment(ref _number):D6}-{Random.Shared.Next(0x10000, 0xFFFFF):x5}";
        var session = new FakeSession(id, accountMode, owner, companyId, externalUserId);
        _sessions[id] = session;
        return session;
    }

    /// <summary>The session when it exists and belongs to this credential through this path; otherwise null
    /// (the real server does not reveal other companies' sessions).</summary>
    public FakeSession? Find(string id, bool accountMode, string owner) =>
        _sessions.TryGetValue(id, out var s) && s.AccountMode == accountMode && string.Equals(s.Owner, owner, StringComparison.Ordinal)
            ? s
            : null;

    public FakeSession? Find(string id) => _sessions.GetValueOrDefault(id);
}
