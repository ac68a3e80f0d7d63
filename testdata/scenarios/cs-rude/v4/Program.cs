namespace App
{
    public static class Program
    {
        static int factor = 2;

        public static string Run() => Compute(3).ToString();

        static int Compute(int x) => x * factor;
    }
}
