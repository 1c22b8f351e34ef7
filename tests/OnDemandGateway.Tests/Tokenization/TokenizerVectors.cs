using System.Text.Json;
using OnDemandGateway.Tokenization;

namespace OnDemandGateway.Tests.Tokenization;

/// <summary>Reference data produced by tiktoken's Rust core, copied into Tokenization/Data.</summary>
internal static class TokenizerVectors
{
    private static readonly Lazy<IReadOnlyDictionary<int, JsonElement>> Vectors = new(() =>
        File.ReadLines(DataPath("vectors.jsonl"))
            .Where(line => line.Length > 0)
            .Select(line => JsonDocument.Parse(line).RootElement)
            .ToDictionary(v => v.GetProperty("id").GetInt32()));

    private static readonly Lazy<JsonElement[]> ChatExamples = new(() =>
        JsonDocument.Parse(File.ReadAllText(DataPath("chat_examples.json"))).RootElement.EnumerateArray().ToArray());

    public static IReadOnlyDictionary<int, JsonElement> All => Vectors.Value;

    public static IReadOnlyList<JsonElement> Chats => ChatExamples.Value;

    public static TiktokenEncoding Encoding(string name) => name switch
    {
        "o200k_base" => TiktokenEncoding.O200kBase,
        "cl100k_base" => TiktokenEncoding.Cl100kBase,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    public static TheoryData<string, int> VectorCases()
    {
        var data = new TheoryData<string, int>();
        foreach (var encoding in new[] { "o200k_base", "cl100k_base" })
        {
            foreach (var id in All.Keys.Order())
            {
                data.Add(encoding, id);
            }
        }
        return data;
    }

    private static string DataPath(string file) => Path.Combine(AppContext.BaseDirectory, "Tokenization", "Data", file);
}
