// Part of the 20-file sample for the watch latency benchmark: edit Compute and save.
namespace CsApp20;

public static class Calculator
{
    public static int Compute()
    {
        return 6 * 7;
    }
}
