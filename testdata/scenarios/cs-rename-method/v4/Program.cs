namespace App
{
    public static class Program
    {
        public static string Run()
        {
            return "result: " + Helper(4);
        }

        private static int Helper(int x)
        {
            return x + 3;
        }
    }
}
