namespace OnDemandGateway.Bench.StreamClient;

/// <summary>One finished request, in <see cref="System.Diagnostics.Stopwatch"/> ticks from its start.
/// <see cref="FirstToken"/> is 0 when no content arrived (non-stream requests use the full time).</summary>
internal readonly record struct Sample(long FirstByte, long FirstToken, long Total, int ContentEvents);
