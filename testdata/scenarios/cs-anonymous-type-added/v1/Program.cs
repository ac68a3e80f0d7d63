namespace App
{
    public static class Program
    {
        public static string Run()
        {
            var item = new { Name = "pen", Count = 3 };
            return "item " + item;
        }
    }
}
