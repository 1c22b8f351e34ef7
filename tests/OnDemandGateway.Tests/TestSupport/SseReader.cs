using System.Text;

namespace OnDemandGateway.Tests.TestSupport;

/// <summary>Reads a raw SSE response as the list of its events' data payloads and comment lines.</summary>
public static class SseReader
{
    public static async Task<(List<string> Data, List<string> Comments)> ReadAllAsync(HttpResponseMessage response, CancellationToken cancellationToken = default)
    {
        var data = new List<string>();
        var comments = new List<string>();
        using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal)) data.Add(line["data: ".Length..]);
            else if (line.StartsWith(':')) comments.Add(line);
        }
        return (data, comments);
    }
}
