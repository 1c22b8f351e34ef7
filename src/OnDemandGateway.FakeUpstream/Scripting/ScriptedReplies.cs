using OnDemandGateway.FakeUpstream.Hosting;
using OnDemandGateway.FakeUpstream.Protocol;

namespace OnDemandGateway.FakeUpstream.Scripting;

/// <summary>Applies a scripted reply to a signin, refresh or session call (queries have their own runner).</summary>
internal static class ScriptedReplies
{
    /// <returns>true when the reply was applied; false = carry on with the default behaviour.</returns>
    public static async Task<bool> TryApplyAsync(FakeExchange x, FakeReply? reply)
    {
        switch (reply?.Kind)
        {
            case null:
                return false;
            case FakeReplyKind.Status:
                await JsonResponses.ErrorAsync(x.Context, reply.StatusCode, reply.ErrorCode, reply.Message, reply.RetryAfter);
                return true;
            case FakeReplyKind.Hang:
                await x.WaitForeverAsync();
                return true;
            case FakeReplyKind.Reset:
                x.Abort();
                return true;
            default:
                // A test bug, made loud: Answer/Stream only make sense for queries.
                await JsonResponses.ErrorAsync(x.Context, 500, ErrorCodes.ServerError,
                    $"Fake script error: {reply} is only valid for query calls, not {x.Call.Kind}.");
                return true;
        }
    }
}
