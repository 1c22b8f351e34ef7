using OnDemandGateway.Configuration;
using OnDemandGateway.Usage;

namespace OnDemandGateway.Tests.Usage;

public sealed class CostCalculatorTests
{
    private static readonly CostCalculator Calculator = new(new GatewayOptions
    {
        ModelPrices = new Dictionary<string, ModelPrice> { ["gpt-4o"] = new(2.5m, 10m), ["gpt-4o-mini"] = new(0.15m, 0.6m) },
        DefaultModelPrice = new(1m, 3m),
    });

    [Theory]
    [InlineData("gpt-4o", 1_000_000, 0, "2.5")]
    [InlineData("GPT-4o", 0, 1_000_000, "10")]
    [InlineData("gpt-4o-mini", 1_000, 500, "0.00045")]
    [InlineData("gpt-4o-mini", 1, 0, "0.00000015")]
    [InlineData("some-unpriced-model", 2_000_000, 1_000_000, "5")]
    [InlineData("gpt-4o", -5, 0, "0")]
    public void Cost_ModelAndTokens_PricesInputAndOutputSeparately(string model, int prompt, int completion, string expected) =>
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), Calculator.Cost(model, prompt, completion));
}
