namespace OnDemandGateway.Tokenization;

/// <summary>
/// Which encoding counts a model's tokens. OpenAI models get their own encoding (exact counts); every other
/// model the gateway relays (Claude, Gemini, DeepSeek, Grok, on-demand "predefined-…" endpoints) has no
/// public tokenizer here, so its counts are o200k_base estimates and usage should be recorded as estimated.
/// </summary>
internal static class TokenizerCatalog
{
    // Longest prefixes first where one is a prefix of another (gpt-4o before gpt-4).
    private static readonly string[] O200kPrefixes = ["gpt-4o", "chatgpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "o4-mini"];
    private static readonly string[] O200kFamilies = ["o1", "o3"];
    private static readonly string[] Cl100kPrefixes = ["gpt-4-", "gpt-3.5", "gpt-35-"];

    public static (TiktokenEncoding Encoding, bool Exact) ForModel(string? model)
    {
        var name = Normalize(model);
        if (StartsWithAny(name, O200kPrefixes) || IsFamily(name, O200kFamilies))
        {
            return (TiktokenEncoding.O200kBase, true);
        }
        if (name.Equals("gpt-4", StringComparison.OrdinalIgnoreCase) || StartsWithAny(name, Cl100kPrefixes))
        {
            return (TiktokenEncoding.Cl100kBase, true);
        }
        return (TiktokenEncoding.O200kBase, false);
    }

    /// <summary>Drops a provider prefix ("openai/gpt-4o") and a fine-tune marker ("ft:gpt-4o:org::id").</summary>
    private static ReadOnlySpan<char> Normalize(string? model)
    {
        var name = (model ?? "").AsSpan().Trim();
        name = name[(name.LastIndexOf('/') + 1)..];
        if (name.StartsWith("ft:", StringComparison.OrdinalIgnoreCase))
        {
            name = name[3..];
        }
        return name;
    }

    private static bool StartsWithAny(ReadOnlySpan<char> name, string[] prefixes)
    {
        foreach (var prefix in prefixes)
        {
            if (name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>"o1", "o1-mini", "o3-pro" but not "o10" or "o3d".</summary>
    private static bool IsFamily(ReadOnlySpan<char> name, string[] families)
    {
        foreach (var family in families)
        {
            if (name.StartsWith(family, StringComparison.OrdinalIgnoreCase)
                && (name.Length == family.Length || name[family.Length] == '-'))
            {
                return true;
            }
        }
        return false;
    }
}
