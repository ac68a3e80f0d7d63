namespace App
{
    public static class Program
    {
        public static string Run()
        {
            return "result: " + Compute(4);
        }

        private static int Compute(int x)
        {
            return x + 2;
        }
    }
}
