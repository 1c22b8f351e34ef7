using System.Text.Json;

namespace OnDemandGateway.FakeUpstream.Protocol;

/// <summary>Checks a query body against the spec; the message of a failure says which field is wrong.
/// Fields are typed strictly (null is not "absent") because the spec asks clients to send only what was set.</summary>
internal static class QueryRequestValidator
{
    public static bool TryParse(ReadOnlyMemory<byte> body, out QueryRequest? request, out string error)
    {
        request = null;
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            error = "Request body is not valid JSON.";
            return false;
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = "Request body must be a JSON object.";
                return false;
            }

            if (!RequiredString(root, "query", out var query, out error)
                || !RequiredString(root, "endpointId", out var endpointId, out error)
                || !RequiredString(root, "responseMode", out var mode, out error))
            {
                return false;
            }

            if (mode is not ("sync" or "stream" or "webhook"))
            {
                error = $"responseMode must be one of sync, stream, webhook (got \"{mode}\").";
                return false;
            }

            if (root.TryGetProperty("pluginIds", out var plugins) && !IsStringArray(plugins, int.MaxValue))
            {
                error = "pluginIds must be an array of strings.";
                return false;
            }

            JsonElement? configs = null;
            if (root.TryGetProperty("modelConfigs", out var mc))
            {
                if (!ModelConfigsValid(mc, out error))
                {
                    return false;
                }

                configs = mc.Clone();
            }

            request = new QueryRequest(query, endpointId, mode, configs);
            error = "";
            return true;
        }
    }

    private static bool ModelConfigsValid(JsonElement mc, out string error)
    {
        if (mc.ValueKind != JsonValueKind.Object)
        {
            error = "modelConfigs must be an object (omit it when nothing is set).";
            return false;
        }

        foreach (var p in mc.EnumerateObject())
        {
            var ok = p.Name switch
            {
                "fulfillmentPrompt" => p.Value.ValueKind == JsonValueKind.String,
                "temperature" => InRange(p.Value, 0, 2),
                "topP" => InRange(p.Value, 0, 1),
                "presencePenalty" or "frequencyPenalty" => InRange(p.Value, 0, 2),
                "stopSequences" => IsStringArray(p.Value, 4),
                "maxTokens" => p.Value.ValueKind == JsonValueKind.Number && p.Value.TryGetInt32(out var n) && n > 0,
                _ => true, // undocumented extras are ignored, as the real server does
            };
            if (!ok)
            {
                error = p.Name switch
                {
                    "fulfillmentPrompt" => "modelConfigs.fulfillmentPrompt must be a string.",
                    "temperature" => "modelConfigs.temperature must be a number in [0, 2].",
                    "topP" => "modelConfigs.topP must be a number in [0, 1].",
                    "stopSequences" => "modelConfigs.stopSequences must be an array of at most 4 strings.",
                    "maxTokens" => "modelConfigs.maxTokens must be a positive integer.",
                    _ => $"modelConfigs.{p.Name} must be a number in [0, 2].",
                };
                return false;
            }
        }

        error = "";
        return true;
    }

    private static bool RequiredString(JsonElement root, string name, out string value, out string error)
    {
        if (root.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.String && e.GetString() is { Length: > 0 } s)
        {
            value = s;
            error = "";
            return true;
        }

        value = "";
        error = $"{name} is required and must be a non-empty string.";
        return false;
    }

    private static bool InRange(JsonElement e, double min, double max) =>
        e.ValueKind == JsonValueKind.Number && e.TryGetDouble(out var d) && d >= min && d <= max;

    private static bool IsStringArray(JsonElement e, int maxCount)
    {
        if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() > maxCount)
        {
            return false;
        }

        foreach (var item in e.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                return false;
            }
        }

        return true;
    }
}
