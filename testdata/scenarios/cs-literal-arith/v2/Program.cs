namespace App
{
    public static class Program
    {
        public static string Run()
        {
            int a = 6;
            int b = 7;
            return "result = " + (a * b + 100);
        }
    }
}
