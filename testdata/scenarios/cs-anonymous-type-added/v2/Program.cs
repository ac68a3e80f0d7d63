namespace App
{
    public static class Program
    {
        static string Header()
        {
            var id = new { Id = 7 };
            return "id " + id;
        }

        public static string Run()
        {
            var item = new { Name = "pen", Count = 3 };
            return Header() + " item " + item;
        }
    }
}
