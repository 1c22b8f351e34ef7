using System.Collections.Frozen;
using System.Text.Json;

namespace OnDemandGateway.Configuration;

/// <summary>Reads per-model settings: <c>model_prices</c> / <c>default_model_price</c> (a number = same price in
/// and out, or <c>{"input":x,"output":y}</c>, USD per 1M tokens) and <c>model_mapping</c> (name → endpointId).</summary>
internal static class ModelSettingsParser
{
    private const decimal MaxPrice = 1_000_000;
    private const string PriceShape = "a price: a number, or {\"input\": x, \"output\": y}";

    public static ModelPrice ParsePrice(ConfigValue value, JsonElement element, string path = "")
    {
        if (element.ValueKind == JsonValueKind.Number)
        {
            var both = Amount(value, element, path);
            return new ModelPrice(both, both);
        }
        value.RequireKind(element, JsonValueKind.Object, PriceShape, path);
        decimal? input = null, output = null;
        foreach (var field in element.EnumerateObject())
        {
            switch (field.Name)
            {
                case "input": input = Amount(value, field.Value, $"{path}.input"); break;
                case "output": output = Amount(value, field.Value, $"{path}.output"); break;
                default: throw value.Error($"has unknown field \"{field.Name}\"; a price has \"input\" and \"output\"", path);
            }
        }
        if (input is null || output is null) throw value.Error($"must be {PriceShape}", path);
        return new ModelPrice(input.Value, output.Value);
    }

    public static IReadOnlyDictionary<string, ModelPrice> ParsePrices(ConfigValue value)
    {
        var json = value.Json();
        value.RequireKind(json, JsonValueKind.Object, "an object of model name → price");
        var prices = new Dictionary<string, ModelPrice>(StringComparer.OrdinalIgnoreCase);
        foreach (var model in json.EnumerateObject())
            prices[model.Name] = ParsePrice(value, model.Value, $"[\"{model.Name}\"]");
        return prices.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The configured mapping merged over <see cref="DefaultModelTable"/>.</summary>
    public static IReadOnlyDictionary<string, string> ParseMapping(ConfigValue value)
    {
        var json = value.Json();
        value.RequireKind(json, JsonValueKind.Object, "an object of model name → endpointId");
        var overrides = new List<KeyValuePair<string, string>>();
        foreach (var model in json.EnumerateObject())
        {
            var path = $"[\"{model.Name}\"]";
            value.RequireKind(model.Value, JsonValueKind.String, "an endpointId string", path);
            var endpoint = model.Value.GetString()!.Trim();
            if (endpoint.Length == 0 || model.Name.Trim().Length == 0) throw value.Error("must map a model name to a non-empty endpointId", path);
            overrides.Add(new(model.Name.Trim(), endpoint));
        }
        return DefaultModelTable.MergedWith(overrides);
    }

    private static decimal Amount(ConfigValue value, JsonElement element, string path)
    {
        value.RequireKind(element, JsonValueKind.Number, "a number", path);
        // A cost is price × tokens in decimal: an absurd price would overflow it on every request.
        if (!element.TryGetDecimal(out var amount) || amount < 0 || amount > MaxPrice)
            throw value.Error($"must be a price from 0 to {MaxPrice} USD per 1M tokens (got {value.Describe(element)})", path);
        return amount;
    }
}
