namespace OnDemandGateway.Upstream;

internal enum UpstreamEventKind
{
    /// <summary>An incremental piece of the answer (<c>fulfillment</c>).</summary>
    Delta,
    /// <summary><c>event:heartbeat</c>: the model is silent but alive.</summary>
    Heartbeat,
    /// <summary><c>metricsLog</c>: the upstream's token counts.</summary>
    Metrics,
    /// <summary><c>data:[DONE]</c>.</summary>
    Done,
    /// <summary><c>data:[ERROR]:{...}</c>.</summary>
    Error,
    /// <summary>The stream closed without DONE or ERROR.</summary>
    Truncated,
    /// <summary>statusLog, thinking, unknown event types: progress only, never part of the answer.</summary>
    Ignored,
}
