using OnDemandGateway.Usage;

namespace OnDemandGateway.Tests.Usage;

public sealed class WriterThreadTests
{
    [Fact]
    public async Task RunAsync_SynchronousWork_RunsOnItsOwnThreadNotThePool()
    {
        using var thread = new WriterThread("usage-writer-test");
        string? name = null;
        var onPool = true;

        await thread.RunAsync(() =>
        {
            name = Thread.CurrentThread.Name;
            onPool = Thread.CurrentThread.IsThreadPoolThread;
            return Task.CompletedTask;
        });

        Assert.Equal("usage-writer-test", name);
        Assert.False(onPool);
    }

    [Fact]
    public async Task RunAsync_WorkThrowsOrFails_TheCallerSeesTheException()
    {
        using var thread = new WriterThread("usage-writer-test");

        await Assert.ThrowsAsync<InvalidOperationException>(() => thread.RunAsync(() => throw new InvalidOperationException("sync")));
        await Assert.ThrowsAsync<TimeoutException>(() => thread.RunAsync(() => Task.FromException(new TimeoutException("async"))));
    }

    [Fact]
    public async Task RunAsync_AsynchronousWork_CompletesWhenTheWorkDoes()
    {
        using var thread = new WriterThread("usage-writer-test");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var running = thread.RunAsync(() => gate.Task);
        var next = thread.RunAsync(() => Task.CompletedTask);

        await next; // the thread is free again once the synchronous part returned
        Assert.False(running.IsCompleted);
        gate.SetResult();
        await running;
    }

    [Fact]
    public async Task Start_OnLinux_ThreadRunsBelowNormalPriority()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var thread = new WriterThread("usage-writer-nice");
        var tid = 0;
        await thread.RunAsync(() =>
        {
            tid = int.Parse(File.ReadAllText("/proc/thread-self/stat").Split(' ')[0]);
            return Task.CompletedTask;
        });

        // Field 19 of /proc/<pid>/task/<tid>/stat is the nice value (after the command name in parentheses).
        var stat = File.ReadAllText($"/proc/self/task/{tid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        Assert.Equal(WriterThread.Niceness, int.Parse(fields[16]));
    }
}
