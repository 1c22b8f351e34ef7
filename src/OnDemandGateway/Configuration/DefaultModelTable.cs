using System.Collections.Frozen;

namespace OnDemandGateway.Configuration;

/// <summary>The spec's default model name → endpointId table; <c>model_mapping</c> is merged over it.
/// Lookups ignore case because clients spell model names inconsistently ("GPT-4o").</summary>
internal static class DefaultModelTable
{
    public const string DefaultEndpointId = "predefined-claude-4-sonnet";

    public static IReadOnlyDictionary<string, string> Mapping { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["gpt-4o"] = "predefined-openai-gpt4o",
        ["gpt-4o-mini"] = "predefined-openai-gpt4o-mini",
        ["gpt-4.1"] = "predefined-openai-gpt4.1",
        ["gpt-4-turbo"] = "predefined-openai-gpt4.1",
        ["gpt-4.1-mini"] = "predefined-openai-gpt4.1-mini",
        ["gpt-4.1-nano"] = "predefined-openai-gpt4.1-nano",
        ["o3-mini"] = "predefined-openai-gpto3-mini",
        ["gpto3-mini"] = "predefined-openai-gpto3-mini",
        ["gpt-3.5-turbo"] = "predefined-openai-gpto3-mini",
        ["o3"] = "predefined-openai-gpto3",
        ["o4-mini"] = "predefined-openai-gpto4-mini",
        ["deepseek-v3"] = "predefined-deepseek-v3",
        ["deepseek-r1"] = "predefined-deepseek-r1",
        ["claude-3.7-sonnet"] = "predefined-claude-3.7-sonnet",
        ["claude-4-sonnet"] = "predefined-claude-4-sonnet",
        ["claude-4-opus"] = "predefined-claude-4-opus",
        ["gemini-2.0-flash"] = "predefined-gemini-2.0-flash",
        ["gemini-2.5-pro"] = "predefined-gemini-2.5-pro-preview",
        ["gemini-2.5-flash"] = "predefined-gemini-2.5-flash",
        ["grok-4"] = "predefined-xai-grok4",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>The default table with <paramref name="overrides"/> merged over it (an override wins).</summary>
    public static IReadOnlyDictionary<string, string> MergedWith(IEnumerable<KeyValuePair<string, string>> overrides)
    {
        var merged = new Dictionary<string, string>(Mapping, StringComparer.OrdinalIgnoreCase);
        foreach (var (model, endpoint) in overrides) merged[model] = endpoint;
        return merged.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }
}
