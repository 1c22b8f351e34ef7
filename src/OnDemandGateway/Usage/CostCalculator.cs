using OnDemandGateway.Configuration;

namespace OnDemandGateway.Usage;

/// <summary>Estimated cost in USD from <see cref="GatewayOptions.ModelPrices"/> (USD per 1M tokens, input and
/// output priced separately), looked up by the client's model name ignoring case, else the default price.</summary>
internal sealed class CostCalculator
{
    private readonly Dictionary<string, ModelPrice> _prices;
    private readonly ModelPrice _default;

    public CostCalculator(GatewayOptions options)
    {
        _prices = new Dictionary<string, ModelPrice>(StringComparer.OrdinalIgnoreCase);
        foreach (var (model, price) in options.ModelPrices) _prices[model] = price;
        _default = options.DefaultModelPrice;
    }

    public ModelPrice PriceOf(string model) => _prices.TryGetValue(model, out var price) ? price : _default;

    public decimal Cost(string model, int promptTokens, int completionTokens)
    {
        var price = PriceOf(model);
        return (price.InputPerMillion * Math.Max(0, promptTokens) + price.OutputPerMillion * Math.Max(0, completionTokens)) / 1_000_000m;
    }
}
