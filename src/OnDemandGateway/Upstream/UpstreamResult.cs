namespace OnDemandGateway.Upstream;

/// <summary>A value or a classified failure; upstream calls never throw for expected failures.</summary>
internal readonly struct UpstreamResult<T>
{
    private UpstreamResult(T? value, UpstreamError? error)
    {
        Value = value;
        Error = error;
    }

    public T? Value { get; }
    public UpstreamError? Error { get; }
    public bool IsSuccess => Error is null;

    public static UpstreamResult<T> Ok(T value) => new(value, null);
    public static UpstreamResult<T> Fail(UpstreamError error) => new(default, error);

    public static implicit operator UpstreamResult<T>(UpstreamError error) => Fail(error);
}
