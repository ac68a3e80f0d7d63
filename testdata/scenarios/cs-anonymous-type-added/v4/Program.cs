namespace App
{
    public static class Program
    {
        static string Header()
        {
            var point = new { X = 1, Y = 2 };
            var id = new { Id = 8 };
            return "id " + id + " at " + point;
        }

        public static string Run()
        {
            var item = new { Name = "ink", Count = 4 };
            var both = new { Name = "both", Count = item.Count + point() };
            return Header() + " item " + item + " " + both;
        }

        static int point() => 5;
    }
}
