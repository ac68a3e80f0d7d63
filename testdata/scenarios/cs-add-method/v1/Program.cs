namespace App
{
    public class Counter
    {
        private int count;

        public Counter(int start)
        {
            count = start;
        }

        public int Next()
        {
            count = count + 1;
            return count;
        }
    }

    public static class Program
    {
        public static string Run()
        {
            var c = new Counter(40);
            c.Next();
            return "count: " + c.Next();
        }
    }
}
