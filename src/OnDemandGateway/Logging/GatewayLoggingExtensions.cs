using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging.Console;
using OnDemandGateway.Configuration;

namespace OnDemandGateway.Logging;

/// <summary>Wires logging: the console always, a file when <c>LOG_PATH</c> is set, both in the Python-style
/// <c>LOG_FORMAT</c>, and request ids on every line logged during a request.</summary>
internal static class GatewayLoggingExtensions
{
    public static WebApplicationBuilder AddGatewayLogging(this WebApplicationBuilder builder, GatewayOptions options)
    {
        var level = LogLevelNames.Parse(options.LogLevel);
        var formatter = new LogLineFormatter(LogLineFormat.Parse(options.LogFormat), TimeProvider.System);
        builder.Services.AddSingleton(formatter);

        var logging = builder.Logging;
        logging.ClearProviders();
        logging.AddConsole(console => console.FormatterName = GatewayConsoleFormatter.FormatterName);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ConsoleFormatter, GatewayConsoleFormatter>());
        if (!string.IsNullOrWhiteSpace(options.LogPath))
        {
            var path = options.LogPath;
            var maxBytes = (long)(Math.Min(options.LogMaxMegabytes, 1e12) * 1024 * 1024);   // 1e12 MB: "never" in practice, no overflow
            // Registered as a factory (not an instance) so the container disposes it, which drains the queue.
            builder.Services.AddSingleton<ILoggerProvider>(services =>
                new FileLoggerProvider(path, services.GetRequiredService<LogLineFormatter>(), maxBytes, options.LogBackups));
        }

        logging.SetMinimumLevel(level);
        if (!options.DebugMode)
        {
            // Framework chatter is noise unless debugging; but keep "Now listening on ..." visible at start-up.
            var framework = level > LogLevel.Warning ? level : LogLevel.Warning;
            logging.AddFilter("Microsoft", framework);
            logging.AddFilter("System", framework);
            logging.AddFilter("Microsoft.Hosting.Lifetime", level > LogLevel.Information ? level : LogLevel.Information);
            // ASP.NET Core starts an Activity (and a log scope) for every request while this category logs at any
            // level, although it only adds "request starting/finished" lines and a second copy of Kestrel's
            // unhandled-exception line: off, that is two ExecutionContext changes and ~0.5 KB less per request.
            logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        }
        return builder;
    }

    /// <summary>Adds <see cref="RequestIdMiddleware"/>; call it first so every later line carries the id.</summary>
    public static IApplicationBuilder UseRequestId(this IApplicationBuilder app) => app.UseMiddleware<RequestIdMiddleware>();
}
