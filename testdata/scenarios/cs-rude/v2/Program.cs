namespace App
{
    public static class Program
    {
        public static string Run() => Compute(3).ToString() + Suffix();

        static int Compute(int x) => x * 2;

        static string Suffix() => "+";
    }
}
