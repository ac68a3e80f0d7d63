namespace Lib;

// Edited by the watch test: the change lands in Lib.dll, not in the app's assembly.
public static class Calculator
{
    public static int Compute()
    {
        return 6 * 7;
    }
}
