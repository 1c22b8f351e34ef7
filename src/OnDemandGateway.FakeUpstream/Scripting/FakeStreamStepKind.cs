namespace OnDemandGateway.FakeUpstream.Scripting;

internal enum FakeStreamStepKind
{
    Delta,
    Heartbeat,
    Thinking,
    StatusLog,
    Metrics,
    UnknownEvent,
    Delay,
    Done,
    Error,
    Close,
    Abort,
    HangForever,
}
