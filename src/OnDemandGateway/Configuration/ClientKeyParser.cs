using System.Text.Json;

namespace OnDemandGateway.Configuration;

/// <summary>Reads client access tokens: <c>api_access_token</c> as a string or a list of strings and/or
/// <c>{"name","key","rate_limit_per_minute"}</c>, <c>API_ACCESS_TOKEN</c> (comma-separated) and <c>PRIVATE_KEY</c>.
/// Unnamed tokens are called <c>key-1</c>, <c>key-2</c>... in order.</summary>
internal static class ClientKeyParser
{
    public const string PrivateKeyName = "private-key";

    public static IReadOnlyList<ClientKeyOptions> ParseTokens(ConfigValue value, List<string> warnings)
    {
        if (!value.IsFromFile)
            return Checked(value, value.String(allowEmpty: true)
                .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select((token, i) => new ClientKeyOptions($"key-{i + 1}", token)).ToList());

        var json = value.Json();
        if (json.ValueKind == JsonValueKind.String)
        {
            // An empty token means "none configured" (the Flask default), which leads to a generated one.
            var token = json.GetString()!.Trim();
            return token.Length == 0 ? [] : [new ClientKeyOptions("key-1", token)];
        }
        value.RequireKind(json, JsonValueKind.Array, "a token string or a list of tokens");

        var keys = new List<ClientKeyOptions>();
        var index = 0;
        var unnamed = 0;
        foreach (var entry in json.EnumerateArray())
        {
            var path = $"[{index++}]";
            if (entry.ValueKind == JsonValueKind.String)
            {
                var token = entry.GetString()!.Trim();
                if (token.Length == 0) throw value.Error("must not be an empty token", path);
                keys.Add(new ClientKeyOptions($"key-{++unnamed}", token));
                continue;
            }
            value.RequireKind(entry, JsonValueKind.Object, "a token string or {\"name\",\"key\",\"rate_limit_per_minute\"}", path);
            string? name = null, key = null;
            int? limit = null;
            foreach (var field in entry.EnumerateObject())
            {
                switch (field.Name)
                {
                    case "name":
                        value.RequireKind(field.Value, JsonValueKind.String, "a string", $"{path}.name");
                        name = field.Value.GetString()!.Trim();
                        break;
                    case "key":
                        value.RequireKind(field.Value, JsonValueKind.String, "a string", $"{path}.key");
                        key = field.Value.GetString()!.Trim();
                        break;
                    case "rate_limit_per_minute":
                        if (field.Value.ValueKind == JsonValueKind.Null) break;
                        value.RequireKind(field.Value, JsonValueKind.Number, "a whole number", $"{path}.rate_limit_per_minute");
                        if (!field.Value.TryGetInt32(out var parsed) || parsed < 0)
                            throw value.Error("must be a whole number, 0 or more", $"{path}.rate_limit_per_minute");
                        limit = parsed;
                        break;
                    default:
                        warnings.Add(value.Error($"has unknown field \"{field.Name}\" (ignored)", path).Message);
                        break;
                }
            }
            if (string.IsNullOrEmpty(key)) throw value.Error("needs a non-empty \"key\"", path);
            keys.Add(new ClientKeyOptions(string.IsNullOrEmpty(name) ? $"key-{++unnamed}" : name, key, limit));
        }
        return Checked(value, keys);
    }

    /// <summary>Adds <c>PRIVATE_KEY</c> (the API-key proxy's client token) unless it is already configured.</summary>
    public static IReadOnlyList<ClientKeyOptions> WithPrivateKey(IReadOnlyList<ClientKeyOptions> keys, ConfigValue value)
    {
        var token = value.String(allowEmpty: true);
        if (token.Length == 0 || keys.Any(k => k.Key == token)) return keys;
        if (keys.Any(k => k.Name == PrivateKeyName))
            throw value.Error($"cannot be added: the name \"{PrivateKeyName}\" is already used by an api_access_token entry");
        return [.. keys, new ClientKeyOptions(PrivateKeyName, token)];
    }

    /// <summary>Names go into usage records and tokens identify callers, so both must be unique.</summary>
    private static List<ClientKeyOptions> Checked(ConfigValue value, List<ClientKeyOptions> keys)
    {
        for (var i = 0; i < keys.Count; i++)
        {
            for (var j = 0; j < i; j++)
            {
                if (keys[j].Name == keys[i].Name) throw value.Error($"uses the name \"{keys[i].Name}\" twice", $"[{i}]");
                if (keys[j].Key == keys[i].Key) throw value.Error($"repeats the token of entry [{j}]", $"[{i}]");
            }
        }
        return keys;
    }
}
