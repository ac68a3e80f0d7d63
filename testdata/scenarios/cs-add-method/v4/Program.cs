namespace App
{
    public class Counter
    {
        private int count;

        public Counter(int start)
        {
            count = start;
        }

        public Counter(int start, int step)
        {
            count = start * step + 1;
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
            var c = new Counter(20, 2);
            return "count: " + c.Next() + " " + Describe<int>(8);
        }

        private static string Describe<T>(T value)
        {
            return typeof(T).Name + "/" + value;
        }
    }
}
