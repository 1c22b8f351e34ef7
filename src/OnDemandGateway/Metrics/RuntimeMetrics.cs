using System.Diagnostics;

namespace OnDemandGateway.Metrics;

/// <summary>The process and .NET runtime figures an operator watches next to the gateway's own (memory, CPU, GC,
/// thread pool, upstream connections), in the names Prometheus' own client libraries use for them.</summary>
internal static class RuntimeMetrics
{
    private static readonly double StartTime = new DateTimeOffset(Process.GetCurrentProcess().StartTime).ToUnixTimeMilliseconds() / 1000.0;

    public static void Write(PrometheusText text, int idleUpstreamConnections)
    {
        text.Family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.")
            .Sample("process_resident_memory_bytes", Environment.WorkingSet);
        text.Family("process_cpu_seconds_total", "counter", "User and system CPU time spent in seconds.")
            .Sample("process_cpu_seconds_total", Environment.CpuUsage.TotalTime.TotalSeconds);
        text.Family("process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch in seconds.")
            .Sample("process_start_time_seconds", StartTime);

        var gc = GC.GetGCMemoryInfo();
        text.Family("dotnet_gc_heap_size_bytes", "gauge", "Managed heap size after the last garbage collection.")
            .Sample("dotnet_gc_heap_size_bytes", gc.HeapSizeBytes);
        text.Family("dotnet_gc_committed_bytes", "gauge", "Memory committed by the garbage collector.")
            .Sample("dotnet_gc_committed_bytes", gc.TotalCommittedBytes);
        text.Family("dotnet_gc_allocated_bytes_total", "counter", "Bytes allocated on the managed heap since start.")
            .Sample("dotnet_gc_allocated_bytes_total", GC.GetTotalAllocatedBytes());
        text.Family("dotnet_gc_collections_total", "counter", "Garbage collections by generation.");
        for (var generation = 0; generation <= GC.MaxGeneration; generation++)
            text.Sample("dotnet_gc_collections_total", GC.CollectionCount(generation), ("generation", generation.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        text.Family("dotnet_threadpool_threads", "gauge", "Thread-pool threads.")
            .Sample("dotnet_threadpool_threads", ThreadPool.ThreadCount);
        text.Family("dotnet_threadpool_queue_length", "gauge", "Work items queued to the thread pool and not yet started.")
            .Sample("dotnet_threadpool_queue_length", ThreadPool.PendingWorkItemCount);

        text.Family("odg_upstream_connections_idle", "gauge", "Keep-alive connections to on-demand.io waiting in the pool.")
            .Sample("odg_upstream_connections_idle", idleUpstreamConnections);
    }
}
