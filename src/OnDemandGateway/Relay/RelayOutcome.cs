using OnDemandGateway.Usage;

namespace OnDemandGateway.Relay;

/// <summary>What happened to one request, filled in as the relay goes and recorded once at the end.</summary>
internal sealed class RelayOutcome
{
    public UsageOutcome Outcome { get; private set; } = UsageOutcome.UpstreamFault;
    public int Status { get; private set; } = 500;
    public string? Error { get; private set; }
    public string? Credential { get; set; }
    public TokenCount Tokens { get; set; }
    /// <summary><see cref="TimeProvider.GetTimestamp"/> when the first answer token reached the client.</summary>
    public long? FirstTokenAt { get; set; }

    public void Succeed(int status = 200)
    {
        Outcome = UsageOutcome.Success;
        Status = status;
        Error = null;
    }

    public void Fail(UsageOutcome outcome, int status, string error)
    {
        Outcome = outcome;
        Status = status;
        Error = error.Length > 300 ? error[..300] : error;
    }
}
