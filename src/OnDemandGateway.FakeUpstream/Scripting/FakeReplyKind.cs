namespace OnDemandGateway.FakeUpstream.Scripting;

internal enum FakeReplyKind
{
    Answer,
    Stream,
    Status,
    Hang,
    Reset,
}
