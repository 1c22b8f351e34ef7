using System.Buffers;
using System.IO.Pipelines;
using OnDemandGateway.OpenAi;

namespace OnDemandGateway.Relay;

/// <summary>Serialises writes to one SSE response between the relay loop and the keep-alive timer. Events written
/// with <see cref="Exit"/> stay buffered until <see cref="FlushPendingAsync"/>, which the relay calls before it
/// waits on the upstream: a burst of events that arrived together leaves in one write, and no event ever waits
/// behind the network.</summary>
internal sealed class SseChannel(PipeWriter output, TimeProvider time, CancellationToken aborted) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private long _lastWrite = time.GetTimestamp();
    private bool _pending;

    public bool ClientGone { get; private set; }

    /// <summary>Takes the write lock; write synchronously to <see cref="Output"/>, then call <see cref="FlushAndExitAsync"/>.</summary>
    public ValueTask EnterAsync()
    {
        var entered = _gate.WaitAsync(aborted);
        return entered.IsCompletedSuccessfully ? ValueTask.CompletedTask : new ValueTask(entered);
    }

    public PipeWriter Output => output;

    /// <summary>Flushes what was written and releases the lock. Throws <see cref="OperationCanceledException"/>
    /// when the client is gone.</summary>
    public async ValueTask FlushAndExitAsync()
    {
        try
        {
            await FlushAsync();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Releases the lock without flushing; the caller flushes with <see cref="FlushPendingAsync"/>.</summary>
    public void Exit()
    {
        _pending = true;
        _gate.Release();
    }

    /// <summary>Flushes events left by <see cref="Exit"/>, if any (the keep-alive may have flushed them already).</summary>
    public ValueTask FlushPendingAsync()
    {
        if (!_pending) return ValueTask.CompletedTask;
        return FlushPendingSlowAsync();
    }

    private async ValueTask FlushPendingSlowAsync()
    {
        await EnterAsync();
        await FlushAndExitAsync();
    }

    public async ValueTask WriteKeepAliveAsync()
    {
        await EnterAsync();
        output.Write(ChatCompletionWriter.KeepAliveComment);
        await FlushAndExitAsync();
    }

    /// <summary>Timer callback: a comment when nothing was written for <paramref name="interval"/>, so idle
    /// connections (and the proxies in between) stay open while the model is silent.</summary>
    public void KeepAlive(TimeSpan interval)
    {
        if (ClientGone || time.GetElapsedTime(Volatile.Read(ref _lastWrite)) < interval) return;
        if (!_gate.Wait(0)) return;
        _ = KeepAliveAsync();
    }

    private async Task KeepAliveAsync()
    {
        try
        {
            output.Write(ChatCompletionWriter.KeepAliveComment);
            await FlushAsync();
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            _gate.Release();
        }
    }

    private async ValueTask FlushAsync()
    {
        _pending = false;
        var result = await output.FlushAsync(aborted);
        Volatile.Write(ref _lastWrite, time.GetTimestamp());
        if (result.IsCompleted || result.IsCanceled)
        {
            ClientGone = true;
            throw new OperationCanceledException("the client is gone");
        }
    }

    public void Dispose()
    {
        // The timer is disposed before this (declared after); the gate may still be held by a finishing
        // keep-alive write, so it is left to the GC rather than disposed under it.
    }
}
