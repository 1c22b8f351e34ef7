namespace OnDemandGateway.FakeUpstream;

public static class FakeProgram
{
    public static int Main(string[] args) => 0;
}
