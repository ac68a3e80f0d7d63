namespace App
{
    public static class Program
    {
        public static string Run()
        {
            int a = 10;
            int b = 3;
            return "v3 total " + (a / b) + "," + (a % b);
        }
    }
}
