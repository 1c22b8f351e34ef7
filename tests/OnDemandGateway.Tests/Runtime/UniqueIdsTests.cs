using OnDemandGateway.Runtime;

namespace OnDemandGateway.Tests.Runtime;

public sealed class UniqueIdsTests
{
    [Fact]
    public void Next_ManyIdsFromManyThreads_NeverRepeatAndAreSixteenHexCharacters()
    {
        var ids = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 4, _ =>
        {
            for (var i = 0; i < 25_000; i++) ids.Add(UniqueIds.Next());
        });

        Assert.Equal(100_000, ids.Distinct().Count());
        Assert.All(ids.Take(100), id => Assert.Matches("^[0-9a-f]{16}$", id));
    }

    [Fact]
    public void Mix_ConsecutiveInputs_DoNotLookSequential()
    {
        // The ids must not reveal the request count: neighbours differ in about half of their bits.
        var changed = 0;
        for (ulong i = 0; i < 1_000; i++)
            changed += System.Numerics.BitOperations.PopCount(UniqueIds.Mix(i) ^ UniqueIds.Mix(i + 1));
        Assert.InRange(changed / 1_000.0, 24, 40);
    }
}
