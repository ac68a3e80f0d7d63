namespace App
{
    public static class Program
    {
        public static string Run() => Compute(3L).ToString();

        static long Compute(long x) => x * 2;
    }
}
