using System.Text;
using System.Text.Json;
using OnDemandGateway.FakeUpstream;
using OnDemandGateway.Tests.TestSupport;

namespace OnDemandGateway.Tests.Relay;

/// <summary>The relay writes deltas that arrived together in one flush, but never holds one back while it waits
/// on the upstream.</summary>
public sealed class StreamFlushTests
{
    private static readonly object Body = new { model = "gpt-4o", stream = true, messages = new[] { new { role = "user", content = "x" } } };

    [Fact]
    public async Task Stream_UpstreamGoesQuietAfterDeltas_ClientHasThemWhileItWaits()
    {
        await using var host = await GatewayHost.StartAsync();
        host.Upstream.Enqueue(FakeReply.Stream(FakeStreamStep.Delta("first"), FakeStreamStep.Delta("second"), FakeStreamStep.HangForever()));
        using var response = await ChatCompletionsTests.PostStream(host, Body);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token), Encoding.UTF8);

        var contents = new List<string>();
        while (contents.Count < 2 && await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("data: {", StringComparison.Ordinal) && Content(line) is { Length: > 0 } text) contents.Add(text);
        }

        // Both arrived although the upstream has not finished (it never will): nothing waited for a later event.
        Assert.Equal(["first", "second"], contents);
    }

    [Fact]
    public async Task Stream_BurstOfDeltas_AllArriveInOrderThenDone()
    {
        await using var host = await GatewayHost.StartAsync();
        var steps = Enumerable.Range(0, 300).Select(i => FakeStreamStep.Delta($"d{i} ")).Append(FakeStreamStep.Done()).ToArray();
        host.Upstream.Enqueue(FakeReply.Stream(steps));
        using var response = await ChatCompletionsTests.PostStream(host, Body);

        var (data, _) = await SseReader.ReadAllAsync(response);

        var contents = data.Where(d => d.StartsWith('{')).Select(d => "data: " + d).Select(Content).Where(c => c.Length > 0).ToList();
        Assert.Equal(Enumerable.Range(0, 300).Select(i => $"d{i} "), contents);
        Assert.Equal("[DONE]", data[^1]);
    }

    private static string Content(string line)
    {
        using var json = JsonDocument.Parse(line["data: ".Length..]);
        var choices = json.RootElement.GetProperty("choices");
        return choices.GetArrayLength() > 0 && choices[0].GetProperty("delta").TryGetProperty("content", out var c) ? c.GetString() ?? "" : "";
    }
}
