namespace App
{
    public static class Program
    {
        public static string Run() => Compute(3).ToString();

        static int Compute(int x) => x * 2;
    }
}
