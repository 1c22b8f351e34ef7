using System.Text.Json;

namespace OnDemandGateway.Tokenization;

/// <summary>
/// Prompt and completion token counts by OpenAI's cookbook rule ("How to count tokens with tiktoken"), which
/// the live API reproduces for gpt-4o / gpt-4 / gpt-3.5-turbo: each message costs 3 tokens plus its role and
/// content (a name costs its tokens plus 1), and 3 more prime the reply.
/// </summary>
internal static class ChatTokenCounter
{
    internal const int TokensPerMessage = 3;
    internal const int TokensPerName = 1;
    internal const int ReplyPriming = 3;

    public static int CountPrompt(IEnumerable<ChatTokenMessage> messages, TiktokenEncoding encoding)
    {
        var total = ReplyPriming;
        foreach (var message in messages)
        {
            total += TokensPerMessage + encoding.CountTokens(message.Role) + encoding.CountTokens(message.Content);
            if (message.Name is not null)
            {
                total += TokensPerName + encoding.CountTokens(message.Name);
            }
        }
        return total;
    }

    public static int CountCompletion(string text, TiktokenEncoding encoding) => encoding.CountTokens(text);

    /// <summary>
    /// Extra prompt tokens for a request's <c>tools</c> array (the Chat Completions JSON shape), by the
    /// cookbook's function-calling rule. OpenAI documents it as an approximation; it matched the API for the
    /// cookbook's example. Returns 0 for an empty or non-array value.
    /// </summary>
    public static int CountTools(JsonElement tools, TiktokenEncoding encoding)
    {
        if (tools.ValueKind != JsonValueKind.Array || tools.GetArrayLength() == 0)
        {
            return 0;
        }
        // The cookbook's constants: only the per-function overhead differs between the two encodings' models.
        var functionStart = encoding == TiktokenEncoding.Cl100kBase ? 10 : 7;
        const int PropertiesStart = 3, PropertyKey = 3, EnumStart = -3, EnumItem = 3, FunctionsEnd = 12;

        var total = FunctionsEnd;
        foreach (var tool in tools.EnumerateArray())
        {
            if (!TryGetObject(tool, "function", out var function))
            {
                continue;
            }
            total += functionStart;
            total += encoding.CountTokens(Text(function, "name") + ":" + TrimPeriod(Text(function, "description")));
            if (!TryGetObject(function, "parameters", out var parameters)
                || !TryGetObject(parameters, "properties", out var properties)
                || !properties.EnumerateObject().Any())
            {
                continue;
            }
            total += PropertiesStart;
            foreach (var property in properties.EnumerateObject())
            {
                total += PropertyKey;
                if (property.Value.ValueKind == JsonValueKind.Object && property.Value.TryGetProperty("enum", out var values) && values.ValueKind == JsonValueKind.Array)
                {
                    total += EnumStart;
                    foreach (var value in values.EnumerateArray())
                    {
                        total += EnumItem + encoding.CountTokens(value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText());
                    }
                }
                var line = $"{property.Name}:{Text(property.Value, "type")}:{TrimPeriod(Text(property.Value, "description"))}";
                total += encoding.CountTokens(line);
            }
        }
        return total;
    }

    private static bool TryGetObject(JsonElement element, string property, out JsonElement value)
    {
        value = default;
        return element.ValueKind == JsonValueKind.Object
            && element.TryGetProperty(property, out value)
            && value.ValueKind == JsonValueKind.Object;
    }

    private static string Text(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : "";

    private static string TrimPeriod(string text) => text.EndsWith('.') ? text[..^1] : text;
}
