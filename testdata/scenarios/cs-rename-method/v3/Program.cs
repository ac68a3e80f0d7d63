namespace App
{
    public static class Program
    {
        public static string Run()
        {
            return "result: " + Compute(4L);
        }

        private static long Compute(long x)
        {
            return x * 1000000000000L;
        }
    }
}
