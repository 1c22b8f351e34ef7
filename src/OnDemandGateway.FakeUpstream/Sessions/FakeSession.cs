namespace OnDemandGateway.FakeUpstream.Sessions;

/// <summary>A chat session: who owns it (apikey or account email, and through which path) and its query history.</summary>
internal sealed class FakeSession(string id, bool accountMode, string owner, string companyId, string externalUserId)
{
    private readonly List<string> _queries = [];

    public string Id { get; } = id;
    public bool AccountMode { get; } = accountMode;
    public string Owner { get; } = owner;
    public string CompanyId { get; } = companyId;
    public string ExternalUserId { get; } = externalUserId;

    public void AddQuery(string query)
    {
        lock (_queries)
        {
            _queries.Add(query);
        }
    }

    public string[] Queries()
    {
        lock (_queries)
        {
            return [.. _queries];
        }
    }
}
