namespace OnDemandGateway.FakeUpstream.OpenAi;

/// <summary>Pre-encoded bodies for one model name: the JSON completion and every SSE chunk frame.</summary>
internal sealed record CannedCompletion(byte[] Completion, byte[] RoleChunk, byte[][] ContentChunks, byte[] FinishChunk, byte[] UsageChunk);
