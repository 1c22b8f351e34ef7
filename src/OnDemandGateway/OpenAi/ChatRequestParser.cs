using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using OnDemandGateway.Configuration;

namespace OnDemandGateway.OpenAi;

/// <summary>Validates a Chat Completions body. Every client mistake becomes a 400 in OpenAI's envelope that
/// names the parameter; nothing here can produce a 500.</summary>
internal static class ChatRequestParser
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    /// <summary>The longest model name accepted.</summary>
    public const int MaxModelLength = 256;

    public static (ChatRequest? Request, OpenAiError? Error) Parse(ReadOnlyMemory<byte> body, ToolsPolicy tools, bool dropUnsupported)
    {
        // JsonDocument does not check the bytes inside strings; reading such a string later would throw instead.
        if (!Utf8.IsValid(body.Span)) return Fail(NotUtf8(body.Span));
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, DocumentOptions);
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" (line {line + 1}, position {e.BytePositionInLine + 1})" : "";
            return Fail(OpenAiError.Invalid($"We could not parse the JSON body of your request{where}. The body must be a JSON object.", code: "invalid_json"));
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return Fail(OpenAiError.Invalid("The request body must be a JSON object.", code: "invalid_json"));
            try
            {
                return (Read(root, tools, dropUnsupported), null);
            }
            catch (InvalidRequest invalid)
            {
                return Fail(invalid.Error);
            }
            catch (InvalidOperationException)
            {
                // Looking a property up unescapes the names it passes; string values are read through Text(), so
                // with valid UTF-8 this is a name holding an unpaired surrogate escape.
                return Fail(OpenAiError.Invalid($"A property name in the request body holds {UnpairedSurrogate}.", code: "invalid_json"));
            }
        }
    }

    private static (ChatRequest?, OpenAiError?) Fail(OpenAiError error) => (null, error);

    private static ChatRequest Read(JsonElement root, ToolsPolicy tools, bool dropUnsupported)
    {
        string? model = null;
        if (root.TryGetProperty("model", out var m) && m.ValueKind != JsonValueKind.Null)
        {
            if (m.ValueKind != JsonValueKind.String) throw Type("model", "a string");
            model = Text(m, "model");
            if (string.IsNullOrWhiteSpace(model)) model = null;
            // A name is a key of the model table and is stored with every usage record: no real one comes near this.
            else if (model.Length > MaxModelLength)
                throw new InvalidRequest(OpenAiError.Invalid($"'model' must be at most {MaxModelLength} characters (got {model.Length}).", "model", "invalid_value"));
        }

        if (!root.TryGetProperty("messages", out var messagesElement) || messagesElement.ValueKind == JsonValueKind.Null)
            throw new InvalidRequest(OpenAiError.Invalid("Missing required parameter: 'messages'.", "messages", "missing_required_parameter"));
        if (messagesElement.ValueKind != JsonValueKind.Array) throw Type("messages", "an array");
        if (messagesElement.GetArrayLength() == 0)
            throw new InvalidRequest(OpenAiError.Invalid("'messages' must contain at least one message.", "messages", "empty_array"));

        var messages = new List<ChatMessage>(messagesElement.GetArrayLength());
        var index = 0;
        foreach (var item in messagesElement.EnumerateArray())
        {
            messages.Add(ReadMessage(item, index++));
        }

        // What on-demand.io cannot honour is refused by name (a client would otherwise get an answer of another
        // shape than it asked for), unless the operator chose to drop it. A malformed value is refused either way.
        if (Integer(root, "n", min: 1, max: 128) is > 1 && !dropUnsupported)
            throw Unsupported("n", "Only n=1 is supported: on-demand.io returns one answer per query.");
        if (tools == ToolsPolicy.Reject && !dropUnsupported)
        {
            foreach (var name in (ReadOnlySpan<string>)["tools", "functions"])
            {
                if (root.TryGetProperty(name, out var t) && t.ValueKind != JsonValueKind.Null && !(t.ValueKind == JsonValueKind.Array && t.GetArrayLength() == 0))
                    throw Unsupported(name, $"'{name}' (function calling) is not supported by on-demand.io through this gateway.", "\"tools\": \"ignore\" (or \"drop_unsupported_params\": true)");
            }
        }
        if (ResponseFormat(root) is { } format && format != "text" && !dropUnsupported)
            throw Unsupported("response_format", $"'response_format' of type '{format}' is not supported: on-demand.io has no JSON mode, so the answer would be free text that need not parse as JSON. Ask for JSON in the prompt and parse the answer yourself.");
        if (Boolean(root, "logprobs") is true && !dropUnsupported)
            throw Unsupported("logprobs", "'logprobs' is not supported: on-demand.io returns no token log probabilities.");

        var stream = Boolean(root, "stream") ?? false;
        var includeUsage = false;
        if (root.TryGetProperty("stream_options", out var options) && options.ValueKind != JsonValueKind.Null)
        {
            if (options.ValueKind != JsonValueKind.Object) throw Type("stream_options", "an object");
            includeUsage = Boolean(options, "include_usage", "stream_options.include_usage") ?? false;
        }

        var maxTokens = Integer(root, "max_completion_tokens", min: 1) ?? Integer(root, "max_tokens", min: 1);
        return new ChatRequest
        {
            Model = model,
            Messages = messages,
            Stream = stream,
            IncludeUsage = includeUsage,
            Temperature = Number(root, "temperature", 0, 2),
            TopP = Number(root, "top_p", 0, 1),
            PresencePenalty = Number(root, "presence_penalty", -2, 2),
            FrequencyPenalty = Number(root, "frequency_penalty", -2, 2),
            Stop = Stop(root),
            MaxTokens = maxTokens,
        };
    }

    private static ChatMessage ReadMessage(JsonElement item, int index)
    {
        var path = $"messages[{index}]";
        if (item.ValueKind != JsonValueKind.Object) throw Type(path, "an object");
        if (!item.TryGetProperty("role", out var roleElement) || roleElement.ValueKind != JsonValueKind.String)
            throw new InvalidRequest(OpenAiError.Invalid($"Missing required parameter: '{path}.role'.", $"{path}.role", "missing_required_parameter"));
        var roleText = Text(roleElement, $"{path}.role");
        var role = roleText.ToLowerInvariant();
        if (role is not ("system" or "developer" or "user" or "assistant" or "tool" or "function"))
            throw new InvalidRequest(OpenAiError.Invalid($"Invalid value '{roleText}' for '{path}.role': expected one of 'system', 'developer', 'user', 'assistant', 'tool', 'function'.", $"{path}.role", "invalid_value"));

        string? name = null;
        if (item.TryGetProperty("name", out var nameElement) && nameElement.ValueKind != JsonValueKind.Null)
        {
            if (nameElement.ValueKind != JsonValueKind.String) throw Type($"{path}.name", "a string");
            name = Text(nameElement, $"{path}.name");
        }

        var content = "";
        if (item.TryGetProperty("content", out var contentElement))
        {
            content = contentElement.ValueKind switch
            {
                JsonValueKind.String => Text(contentElement, $"{path}.content"),
                JsonValueKind.Null => "",
                JsonValueKind.Array => JoinParts(contentElement, path),
                _ => throw Type($"{path}.content", "a string or an array of content parts"),
            };
        }
        else if (role is "system" or "developer" or "user")
        {
            throw new InvalidRequest(OpenAiError.Invalid($"Missing required parameter: '{path}.content'.", $"{path}.content", "missing_required_parameter"));
        }
        return new ChatMessage(role, content, name);
    }

    /// <summary>Text parts are joined with a newline; any non-text part is refused by name.</summary>
    private static string JoinParts(JsonElement parts, string path)
    {
        var builder = new StringBuilder();
        var index = 0;
        foreach (var part in parts.EnumerateArray())
        {
            var partPath = $"{path}.content[{index++}]";
            if (part.ValueKind == JsonValueKind.String)
            {
                Append(builder, Text(part, partPath));
                continue;
            }
            if (part.ValueKind != JsonValueKind.Object || !part.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
                throw new InvalidRequest(OpenAiError.Invalid($"'{partPath}' must be a content part object with a 'type'.", partPath, "invalid_type"));
            var typeName = Text(type, $"{partPath}.type");
            if (typeName is "text" or "input_text")
            {
                if (!part.TryGetProperty("text", out var text) || text.ValueKind != JsonValueKind.String) throw Type($"{partPath}.text", "a string");
                Append(builder, Text(text, $"{partPath}.text"));
                continue;
            }
            var what = typeName is "image_url" or "input_image" or "image" ? "Image inputs are" : $"Content parts of type '{typeName}' are";
            throw new InvalidRequest(OpenAiError.Invalid($"{what} not supported by on-demand.io through this gateway; send text only.", $"{partPath}.type", "unsupported_content_type"));
        }
        return builder.ToString();

        static void Append(StringBuilder builder, string text)
        {
            if (builder.Length > 0) builder.Append('\n');
            builder.Append(text);
        }
    }

    /// <summary>The requested <c>response_format.type</c>, or null when none is given.</summary>
    private static string? ResponseFormat(JsonElement root)
    {
        if (!root.TryGetProperty("response_format", out var format) || format.ValueKind == JsonValueKind.Null) return null;
        if (format.ValueKind != JsonValueKind.Object) throw Type("response_format", "an object");
        if (!format.TryGetProperty("type", out var type) || type.ValueKind == JsonValueKind.Null)
            throw new InvalidRequest(OpenAiError.Invalid("Missing required parameter: 'response_format.type'.", "response_format.type", "missing_required_parameter"));
        if (type.ValueKind != JsonValueKind.String) throw Type("response_format.type", "a string");
        var name = Text(type, "response_format.type");
        return name is "text" or "json_object" or "json_schema"
            ? name
            : throw new InvalidRequest(OpenAiError.Invalid($"Invalid value '{name}' for 'response_format.type': expected one of 'text', 'json_object', 'json_schema'.", "response_format.type", "invalid_value"));
    }

    private static InvalidRequest Unsupported(string param, string why, string setting = "\"drop_unsupported_params\": true") =>
        new(OpenAiError.Invalid($"{why} Remove '{param}', or set {setting} in the gateway configuration to have it ignored.", param, "unsupported_parameter"));

    private static IReadOnlyList<string>? Stop(JsonElement root)
    {
        if (!root.TryGetProperty("stop", out var stop) || stop.ValueKind == JsonValueKind.Null) return null;
        if (stop.ValueKind == JsonValueKind.String)
        {
            var value = Text(stop, "stop");
            return value.Length == 0 ? null : [value];
        }
        if (stop.ValueKind != JsonValueKind.Array) throw Type("stop", "a string or an array of strings");
        if (stop.GetArrayLength() > 4) throw new InvalidRequest(OpenAiError.Invalid("'stop' may contain at most 4 sequences.", "stop", "invalid_value"));
        var list = new List<string>(stop.GetArrayLength());
        foreach (var item in stop.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String) throw Type("stop", "a string or an array of strings");
            if (Text(item, "stop") is { Length: > 0 } value) list.Add(value);
        }
        return list.Count == 0 ? null : list;
    }

    private static double? Number(JsonElement root, string name, double min, double max)
    {
        if (!root.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null) return null;
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetDouble(out var value)) throw Type(name, "a number");
        if (value < min || value > max || double.IsNaN(value))
            throw new InvalidRequest(OpenAiError.Invalid($"'{name}' must be between {min} and {max} (got {value}).", name, "invalid_value"));
        return value;
    }

    private static int? Integer(JsonElement root, string name, int min, int max = int.MaxValue)
    {
        if (!root.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null) return null;
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt64(out var value)) throw Type(name, "an integer");
        if (value < min || value > max) throw new InvalidRequest(OpenAiError.Invalid($"'{name}' must be an integer from {min} to {max} (got {value}).", name, "invalid_value"));
        return (int)value;
    }

    private static bool? Boolean(JsonElement root, string name, string? path = null)
    {
        if (!root.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null) return null;
        return element.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Type(path ?? name, "a boolean"),
        };
    }

    private const string UnpairedSurrogate = "an unpaired UTF-16 surrogate escape (such as \\ud83d without the low surrogate that completes it), which is not text; send whole characters, not half of an emoji";

    /// <summary>A JSON string's text. The body is valid UTF-8 by now, so only an unpaired surrogate escape
    /// (<c>"\ud83d"</c> alone, as a JavaScript client sends a string cut mid-emoji) makes reading it fail.</summary>
    private static string Text(JsonElement element, string param)
    {
        try
        {
            return element.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw new InvalidRequest(OpenAiError.Invalid($"'{param}' holds {UnpairedSurrogate}.", param, "invalid_value"));
        }
    }

    private static OpenAiError NotUtf8(ReadOnlySpan<byte> body)
    {
        var offset = 0;
        while (Rune.DecodeFromUtf8(body[offset..], out _, out var length) == OperationStatus.Done) offset += length;
        return OpenAiError.Invalid($"The request body is not valid UTF-8 (the first invalid byte is at offset {offset}). JSON must be sent as UTF-8: save the file as UTF-8, or let your HTTP library encode the text.", code: "invalid_json");
    }

    private static InvalidRequest Type(string param, string expected) =>
        new(OpenAiError.Invalid($"Invalid type for '{param}': expected {expected}.", param, "invalid_type"));

    /// <summary>Unwinds validation to <see cref="Parse"/>; never escapes this class.</summary>
    private sealed class InvalidRequest(OpenAiError error) : Exception(error.Message)
    {
        public OpenAiError Error { get; } = error;
    }
}
