using System.Collections;

namespace OnDemandGateway.Logging;

/// <summary>The logging scope opened for a request. The gateway's formatter looks for this type; as a key/value
/// list it also shows up as <c>RequestId</c> in any other provider that prints scopes.</summary>
internal sealed class RequestIdScope(string requestId) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public string RequestId { get; } = requestId;

    public int Count => 1;

    public KeyValuePair<string, object?> this[int index] =>
        index == 0 ? new("RequestId", RequestId) : throw new ArgumentOutOfRangeException(nameof(index));

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() { yield return this[0]; }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"RequestId:{RequestId}";
}
