namespace App
{
    public static class Program
    {
        public static string Run()
        {
            return "shapes: none";
        }
    }
}
