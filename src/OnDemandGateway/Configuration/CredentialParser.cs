using System.Text.Json;

namespace OnDemandGateway.Configuration;

/// <summary>Reads upstream credentials: <c>accounts</c> / <c>ONDEMAND_ACCOUNTS</c> entries (email + password
/// or api_key, mixed) and <c>ONDEMAND_API_KEYS</c>. Messages locate an entry by index, never by its values.</summary>
internal static class CredentialParser
{
    private const string EntryShape = "an object with \"email\" and \"password\", or \"api_key\"";

    public static IReadOnlyList<CredentialOptions> ParseAccounts(ConfigValue value, List<string> warnings)
    {
        var json = value.Json();
        // The Flask proxy's env var holds {"accounts":[...]}; a bare array is accepted too.
        if (json.ValueKind == JsonValueKind.Object && json.TryGetProperty("accounts", out var inner)) json = inner;
        value.RequireKind(json, JsonValueKind.Array, "a list of accounts");

        var credentials = new List<CredentialOptions>();
        var index = 0;
        foreach (var entry in json.EnumerateArray())
        {
            var path = $"[{index++}]";
            value.RequireKind(entry, JsonValueKind.Object, EntryShape, path);
            string? email = null, password = null, apiKey = null;
            foreach (var field in entry.EnumerateObject())
            {
                switch (field.Name)
                {
                    case "email": email = EntryString(value, field.Value, $"{path}.email"); break;
                    case "password": password = EntryString(value, field.Value, $"{path}.password"); break;
                    case "api_key": apiKey = EntryString(value, field.Value, $"{path}.api_key"); break;
                    default: warnings.Add(value.Error($"has unknown field \"{field.Name}\" (ignored)", path).Message); break;
                }
            }

            if (apiKey is not null && (email is not null || password is not null))
                throw value.Error("has both \"api_key\" and \"email\"/\"password\"; use one kind per entry", path);
            if (apiKey is not null)
                credentials.Add(new CredentialOptions(CredentialKind.ApiKey, apiKey, null, null));
            else if (email is not null && password is not null)
                credentials.Add(new CredentialOptions(CredentialKind.Account, null, email, password));
            else
                throw value.Error($"must be {EntryShape}", path);
        }
        return credentials;
    }

    /// <summary><c>ONDEMAND_API_KEYS</c>: comma-separated upstream API keys.</summary>
    public static IEnumerable<CredentialOptions> ParseApiKeyList(ConfigValue value) =>
        value.String(allowEmpty: true)
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(key => new CredentialOptions(CredentialKind.ApiKey, key, null, null));

    /// <summary>Drops repeats (the same key or email twice), which would otherwise get double turns in rotation.</summary>
    public static IReadOnlyList<CredentialOptions> Distinct(IEnumerable<CredentialOptions> credentials, List<string> warnings)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<CredentialOptions>();
        foreach (var credential in credentials)
        {
            var identity = credential.Kind == CredentialKind.ApiKey ? "k:" + credential.ApiKey : "a:" + credential.Email!.ToLowerInvariant();
            if (seen.Add(identity)) result.Add(credential);
            else warnings.Add($"upstream credential {credential.MaskedId} is configured more than once; using it once");
        }
        return result;
    }

    /// <summary>A non-empty string field, or null when empty (treated as absent).</summary>
    private static string? EntryString(ConfigValue value, JsonElement element, string path)
    {
        value.RequireKind(element, JsonValueKind.String, "a string", path);
        var text = element.GetString()!.Trim();
        return text.Length == 0 ? null : text;
    }
}
