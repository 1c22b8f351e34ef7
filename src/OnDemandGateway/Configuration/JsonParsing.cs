using System.Text.Json;

namespace OnDemandGateway.Configuration;

/// <summary>How configuration JSON is read. Comments and trailing commas are allowed because people edit
/// config.json by hand; Python's json module rejects them, so accepting them breaks no Flask config.</summary>
internal static class JsonParsing
{
    public static readonly JsonDocumentOptions Options = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>"line 1, position 12" (both 1-based), from a parse error.</summary>
    public static string Position(JsonException e) =>
        $"line {(e.LineNumber ?? 0) + 1}, position {(e.BytePositionInLine ?? 0) + 1}";
}
