using System.Text.Json;
using System.Text.Json.Serialization;

namespace OnDemandGateway.Usage.Api;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    Converters = [typeof(SnakeCaseEnumConverter<UsageOutcome>), typeof(SnakeCaseEnumConverter<TokenSource>)])]
[JsonSerializable(typeof(StatsResponse))]
[JsonSerializable(typeof(RequestPage))]
[JsonSerializable(typeof(ApiError))]
internal sealed partial class UsageJsonContext : JsonSerializerContext;
