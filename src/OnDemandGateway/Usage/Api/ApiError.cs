namespace OnDemandGateway.Usage.Api;

/// <summary>A 400 from the usage APIs; <see cref="Param"/> names the offending query parameter.</summary>
internal sealed record ApiError(string Error, string Message, string? Param = null)
{
    public static ApiError BadParameter(string param, string message) => new("bad_request", message, param);
}
