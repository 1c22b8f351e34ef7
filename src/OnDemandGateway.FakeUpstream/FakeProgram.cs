using System.Runtime.InteropServices;

namespace OnDemandGateway.FakeUpstream;

/// <summary>Runs the fake from the command line for demos and benchmarks; prints one line with its base URL.</summary>
public static class FakeProgram
{
    public static async Task<int> Main(string[] args)
    {
        var line = FakeCommandLine.Parse(args, out var error);
        if (line is null)
        {
            if (error is null)
            {
                Console.WriteLine(FakeCommandLine.Usage);
                return 0;
            }

            Console.Error.WriteLine($"fake-upstream: {error}");
            Console.Error.WriteLine(FakeCommandLine.Usage);
            return 2;
        }

        FakeOnDemandServer server;
        try
        {
            server = await FakeOnDemandServer.StartAsync(line.Options);
        }
        catch (IOException ex)
        {
            Console.Error.WriteLine($"fake-upstream: cannot listen on 127.0.0.1:{line.Options.Port}: {ex.Message}");
            return 1;
        }

        await using (server)
        {
            foreach (var key in line.ApiKeys)
            {
                server.AddApiKey(key);
            }

            foreach (var (email, password) in line.Accounts)
            {
                server.AddAccount(email, password);
            }

            if (line.ApiKeys.Count == 0 && line.Accounts.Count == 0 && !line.Options.AcceptAnyCredential)
            {
                Console.Error.WriteLine("fake-upstream: no credentials configured; chat calls will get 401 (use --api-key, --account or --accept-any).");
            }

            var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            void OnSignal(PosixSignalContext c)
            {
                c.Cancel = true;
                stop.TrySetResult();
            }

            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
            Console.WriteLine($"Fake OnDemand listening on {server.BaseUrl.GetLeftPart(UriPartial.Authority)}");
            await stop.Task;
        }

        return 0;
    }
}
