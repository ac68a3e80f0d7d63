namespace App
{
    public static class Program
    {
        public static string Run()
        {
            int a = 12;
            int b = 5;
            return "final: " + ((a - b) * (a + b)) + " hex " + (a * b).ToString("x");
        }
    }
}
