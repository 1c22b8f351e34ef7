using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace OnDemandGateway.Usage;

/// <summary>
/// One long-lived thread of its own for the usage writer's store calls. SQLite does its work synchronously inside
/// those calls (several milliseconds for a large batch); on a thread-pool thread that stalls whatever requests are
/// queued behind it, which on a one- or two-core machine is most of them (measured at one connection: p99 35 ms
/// on the pool, 9 ms with the pool kept free). On Linux the thread also runs at a lower scheduling priority
/// (<see cref="Niceness"/>), so request threads go first when the CPU is contended; it still gets its share, and the
/// bounded queue in front of it absorbs bursts.
/// </summary>
internal sealed class WriterThread : IDisposable
{
    /// <summary>Linux nice value for the thread (0 = normal, 19 = lowest).</summary>
    public const int Niceness = 5;

    private readonly BlockingCollection<(Func<Task> Work, TaskCompletionSource<Task> Started)> _queue = new();

    public WriterThread(string name)
    {
        new Thread(Run) { IsBackground = true, Name = name }.Start();
    }

    /// <summary>Runs <paramref name="work"/> on the thread; its synchronous part runs there, any asynchronous rest
    /// (PostgreSQL I/O) continues wherever it completes.</summary>
    public Task RunAsync(Func<Task> work)
    {
        var started = new TaskCompletionSource<Task>(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.Add((work, started));
        return started.Task.Unwrap();
    }

    private void Run()
    {
        LowerPriority();
        foreach (var (work, started) in _queue.GetConsumingEnumerable())
        {
            try
            {
                started.SetResult(work());
            }
            catch (Exception e)
            {
                started.SetException(e);
            }
        }
    }

    private static void LowerPriority()
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            // PRIO_PROCESS with a thread id sets that thread's nice value only (Linux semantics).
            _ = setpriority(0, gettid(), Niceness);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // An unusual libc: the thread simply keeps the normal priority.
        }
    }

    public void Dispose() => _queue.CompleteAdding();

#pragma warning disable SYSLIB1054 // two plain int calls; DllImport needs no generated stub.
    [DllImport("libc")]
    private static extern int gettid();

    [DllImport("libc")]
    private static extern int setpriority(int which, int who, int priority);
#pragma warning restore SYSLIB1054
}
