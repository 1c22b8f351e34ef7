using System.Globalization;
using System.Text.Json;

namespace OnDemandGateway.Configuration;

/// <summary>One raw setting as found: a JSON element from the file, or a string from the environment.
/// Every typed read either returns a valid value or throws a <see cref="ConfigException"/> naming the key.
/// The file is strict about JSON types; environment strings are parsed, since they have no types.</summary>
internal readonly struct ConfigValue
{
    private readonly string? _fileName;
    private readonly JsonElement _json;
    private readonly string? _text;

    private ConfigValue(string key, bool secret, string? fileName, JsonElement json, string? text)
    {
        Key = key;
        IsSecret = secret;
        _fileName = fileName;
        _json = json;
        _text = text;
    }

    public static ConfigValue FromFile(string fileName, string key, JsonElement json, bool secret) => new(key, secret, fileName, json, null);

    public static ConfigValue FromEnvironment(string key, string text, bool secret) => new(key, secret, null, default, text.Trim());

    public string Key { get; }
    public bool IsSecret { get; }
    public bool IsFromFile => _fileName is not null;

    /// <summary>Where a message points: <c>config.json: "accounts"[1]</c> or <c>ONDEMAND_ACCOUNTS[1]:</c>.</summary>
    public ConfigException Error(string what, string path = "") =>
        new(Key, IsFromFile ? $"{_fileName}: \"{Key}\"{path} {what}" : $"{Key}{path}: {what}");

    public double Number(double min, bool exclusiveMin, string requirement, double max = double.MaxValue)
    {
        double value;
        if (IsFromFile)
        {
            RequireKind(_json, JsonValueKind.Number, "a number");
            value = _json.GetDouble();
        }
        else if (!double.TryParse(_text, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
            throw Error($"must be {requirement}{Got()}");
        if (!double.IsFinite(value) || value < min || (exclusiveMin && value == min) || value > max)
            throw Error($"must be {requirement}{Got()}");
        return value;
    }

    public long Integer(long min, long max, string requirement)
    {
        long value;
        if (IsFromFile)
        {
            RequireKind(_json, JsonValueKind.Number, "a whole number");
            if (!_json.TryGetInt64(out value)) throw Error($"must be {requirement}{Got()}");
        }
        else if (!long.TryParse(_text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value))
            throw Error($"must be {requirement}{Got()}");
        if (value < min || value > max) throw Error($"must be {requirement}{Got()}");
        return value;
    }

    public bool Boolean()
    {
        if (IsFromFile)
        {
            if (_json.ValueKind is JsonValueKind.True or JsonValueKind.False) return _json.GetBoolean();
            throw Error($"must be true or false{Got()}");
        }
        return _text!.ToLowerInvariant() switch
        {
            "true" or "1" or "yes" or "on" => true,
            "false" or "0" or "no" or "off" => false,
            _ => throw Error($"must be true/false, 1/0 or yes/no{Got()}"),
        };
    }

    public string String(bool allowEmpty = false)
    {
        string value;
        if (IsFromFile)
        {
            RequireKind(_json, JsonValueKind.String, "a string");
            value = _json.GetString()!.Trim();
        }
        else value = _text!;
        if (!allowEmpty && value.Length == 0) throw Error("must not be empty");
        return value;
    }

    /// <summary>A comma-separated string, or in the file also a list of strings: the entries, trimmed, empty ones
    /// dropped. <c>none</c> is the empty list, since an empty variable counts as unset.</summary>
    public IReadOnlyList<string> List(string requirement)
    {
        List<string> entries = [];
        if (IsFromFile && _json.ValueKind == JsonValueKind.Array)
        {
            var index = 0;
            foreach (var item in _json.EnumerateArray())
            {
                RequireKind(item, JsonValueKind.String, "a string", $"[{index++}]");
                if (item.GetString()!.Trim() is { Length: > 0 } entry) entries.Add(entry);
            }
        }
        else
        {
            if (IsFromFile) RequireKind(_json, JsonValueKind.String, requirement);
            entries.AddRange(String(allowEmpty: true).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
        }
        return entries is [var only] && only.Equals("none", StringComparison.OrdinalIgnoreCase) ? [] : entries;
    }

    /// <summary>The value as JSON: the file's element, or the environment string parsed as JSON.</summary>
    public JsonElement Json()
    {
        if (IsFromFile) return _json;
        try
        {
            using var document = JsonDocument.Parse(_text!, JsonParsing.Options);
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            // Position only: the parser's own message can quote the (possibly secret) text.
            throw Error($"invalid JSON at {JsonParsing.Position(e)}");
        }
    }

    /// <summary>Checks a JSON element's kind; <paramref name="path"/> locates it inside this value.</summary>
    public void RequireKind(JsonElement element, JsonValueKind kind, string what, string path = "")
    {
        if (element.ValueKind == kind) return;
        var got = element.ValueKind == JsonValueKind.String && kind == JsonValueKind.Number && !IsSecret
            ? $", not a string ({Describe(element)})"
            : $" (got {Describe(element)})";
        throw Error($"must be {what}{got}", path);
    }

    private string Got() => IsFromFile ? $" (got {Describe(_json)})" : IsSecret ? "" : $" (got \"{Shorten(_text!)}\")";

    /// <summary>Shows a value in a message: scalars as written, containers by kind, secrets never.</summary>
    public string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Number when !IsSecret => element.GetRawText(),
        JsonValueKind.String when !IsSecret => $"\"{Shorten(element.GetString()!)}\"",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Null => "null",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "nothing",
    };

    private static string Shorten(string text) => text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 37), "...");
}
