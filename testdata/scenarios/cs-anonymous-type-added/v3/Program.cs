namespace App
{
    public static class Program
    {
        static string Header()
        {
            var point = new { X = 1, Y = 2 };
            var id = new { Id = 7 };
            return "id " + id + " at " + point;
        }

        public static string Run()
        {
            var item = new { Name = "pen", Count = 3 };
            return Header() + " item " + item;
        }
    }
}
