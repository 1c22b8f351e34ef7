using System.Text.Json;
using System.Text.Json.Serialization;

namespace OnDemandGateway.Usage.Api;

/// <summary>Enums as snake_case strings (<c>rate_limited</c>), matching the rest of the API's names.</summary>
internal sealed class SnakeCaseEnumConverter<TEnum>() : JsonStringEnumConverter<TEnum>(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false)
    where TEnum : struct, Enum;
