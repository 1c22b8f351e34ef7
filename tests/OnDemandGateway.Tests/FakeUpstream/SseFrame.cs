using System.Text.Json;

namespace OnDemandGateway.Tests.FakeUpstream;

/// <summary>One raw SSE frame as received: the event name and data exactly as written (no trimming).</summary>
internal sealed record SseFrame(string Event, string Data)
{
    public JsonElement Json => JsonDocument.Parse(Data).RootElement;

    public string? EventType => Data.StartsWith('{') && Json.TryGetProperty("eventType", out var t) ? t.GetString() : null;

    /// <summary>Splits a whole stream body into frames. Lines are taken literally so a stray space would show up.</summary>
    public static List<SseFrame> ParseAll(string raw)
    {
        var frames = new List<SseFrame>();
        foreach (var block in raw.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            string ev = "", data = "";
            foreach (var line in block.Split('\n'))
            {
                if (line.StartsWith("event:", StringComparison.Ordinal))
                {
                    ev = line["event:".Length..];
                }
                else if (line.StartsWith("data:", StringComparison.Ordinal))
                {
                    data = line["data:".Length..];
                }
                else
                {
                    throw new FormatException($"Unexpected SSE line: '{line}'");
                }
            }

            frames.Add(new SseFrame(ev, data));
        }

        return frames;
    }
}
