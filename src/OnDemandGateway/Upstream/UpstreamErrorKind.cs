namespace OnDemandGateway.Upstream;

/// <summary>Every upstream failure, classified once where it happens. Retry, cooldown and the client's status
/// are decided from this value, never from exception types or message text.</summary>
internal enum UpstreamErrorKind
{
    /// <summary>400: the request itself is bad. Never retried.</summary>
    BadRequest,
    /// <summary>401: key invalid or token expired.</summary>
    Unauthenticated,
    /// <summary>403: credential not allowed.</summary>
    Forbidden,
    /// <summary>404: unknown session or path.</summary>
    NotFound,
    /// <summary>429: this credential is rate limited.</summary>
    RateLimited,
    /// <summary>5xx: upstream fault. Never takes a credential out of rotation.</summary>
    ServerError,
    /// <summary>No answer in time (request deadline or stream idle timeout).</summary>
    Timeout,
    /// <summary>Connection refused, reset or closed before an answer, DNS, TLS; an answer's body cut short or
    /// badly framed.</summary>
    Transport,
    /// <summary>An <c>[ERROR]</c> frame inside a stream.</summary>
    StreamError,
    /// <summary>The stream closed without <c>[DONE]</c> or <c>[ERROR]</c>.</summary>
    Truncated,
    /// <summary>A 2xx whose body is not what the contract says.</summary>
    InvalidResponse,
    /// <summary>The client went away. Not an upstream failure: never cools down a credential.</summary>
    ClientAborted,
}
