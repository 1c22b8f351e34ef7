using OnDemandGateway.Configuration;

namespace OnDemandGateway.Tests.Configuration;

public sealed class ModelSettingsTests
{
    [Fact]
    public void Load_ModelMapping_MergesOverDefaultTable()
    {
        using var scenario = new ConfigScenario().WithFile("""
            {"model_mapping": {"gpt-4o": "byoi-my-gpt", "house-model": "predefined-openai-gpt4.1-nano"}}
            """);

        var mapping = scenario.Load().Options.ModelMapping;

        Assert.Equal("byoi-my-gpt", mapping["gpt-4o"]);                            // overridden
        Assert.Equal("predefined-openai-gpt4.1-nano", mapping["house-model"]);     // added
        Assert.Equal("predefined-xai-grok4", mapping["grok-4"]);                   // default kept
        Assert.Equal(DefaultModelTable.Mapping.Count + 1, mapping.Count);
    }

    [Fact]
    public void Load_ModelMappingVariable_ReplacesFileMappingStillOverDefaults()
    {
        using var scenario = new ConfigScenario().WithFile("""{"model_mapping": {"house-model": "byom-a"}}""");

        var mapping = scenario.Load(("MODEL_MAPPING", """{"other": "byom-b"}""")).Options.ModelMapping;

        Assert.False(mapping.ContainsKey("house-model"));
        Assert.Equal("byom-b", mapping["other"]);
        Assert.Equal("predefined-openai-gpto3-mini", mapping["gpt-3.5-turbo"]);
    }

    [Fact]
    public void DefaultModelTable_MatchesSpec()
    {
        var expected = new Dictionary<string, string>
        {
            ["gpt-4o"] = "predefined-openai-gpt4o", ["gpt-4o-mini"] = "predefined-openai-gpt4o-mini",
            ["gpt-4.1"] = "predefined-openai-gpt4.1", ["gpt-4-turbo"] = "predefined-openai-gpt4.1",
            ["gpt-4.1-mini"] = "predefined-openai-gpt4.1-mini", ["gpt-4.1-nano"] = "predefined-openai-gpt4.1-nano",
            ["o3-mini"] = "predefined-openai-gpto3-mini", ["gpto3-mini"] = "predefined-openai-gpto3-mini",
            ["gpt-3.5-turbo"] = "predefined-openai-gpto3-mini", ["o3"] = "predefined-openai-gpto3",
            ["o4-mini"] = "predefined-openai-gpto4-mini", ["deepseek-v3"] = "predefined-deepseek-v3",
            ["deepseek-r1"] = "predefined-deepseek-r1", ["claude-3.7-sonnet"] = "predefined-claude-3.7-sonnet",
            ["claude-4-sonnet"] = "predefined-claude-4-sonnet", ["claude-4-opus"] = "predefined-claude-4-opus",
            ["gemini-2.0-flash"] = "predefined-gemini-2.0-flash", ["gemini-2.5-pro"] = "predefined-gemini-2.5-pro-preview",
            ["gemini-2.5-flash"] = "predefined-gemini-2.5-flash", ["grok-4"] = "predefined-xai-grok4",
        };

        Assert.Equal(expected.OrderBy(e => e.Key), DefaultModelTable.Mapping.OrderBy(e => e.Key));
        Assert.Equal("predefined-claude-4-sonnet", new GatewayOptions().DefaultEndpointId);
        Assert.Equal("predefined-openai-gpt4o", new GatewayOptions().ModelMapping["GPT-4o"]);
    }

    [Fact]
    public void Load_ModelPrices_AcceptNumberAndInputOutputForms()
    {
        using var scenario = new ConfigScenario().WithFile("""
            {"model_prices": {"gpt-4o": 2.5, "claude-4-opus": {"input": 15, "output": 75}},
             "default_model_price": {"input": 0.5, "output": 1.5}}
            """);

        var options = scenario.Load().Options;

        Assert.Equal(new ModelPrice(2.5m, 2.5m), options.ModelPrices["gpt-4o"]);
        Assert.Equal(new ModelPrice(15m, 75m), options.ModelPrices["claude-4-opus"]);
        Assert.Equal(new ModelPrice(0.5m, 1.5m), options.DefaultModelPrice);
    }

    [Fact]
    public void Load_PriceVariables_ParseJson()
    {
        using var scenario = new ConfigScenario();

        var options = scenario.Load(("MODEL_PRICES", """{"o3": {"input": 2, "output": 8}}"""), ("DEFAULT_MODEL_PRICE", "3")).Options;

        Assert.Equal(new ModelPrice(2m, 8m), options.ModelPrices["o3"]);
        Assert.Equal(new ModelPrice(3m, 3m), options.DefaultModelPrice);
    }
}
