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
            count = start * step;
        }

        public int Next()
        {
            count = count + 1;
            return count;
        }

        public int Skip(int by)
        {
            count = count + by;
            return count;
        }
    }

    public static class Program
    {
        public static string Run()
        {
            var c = new Counter(20, 2);
            c.Skip(3);
            return "count: " + c.Next() + " twice: " + Twice(c.Next()) + " " + Describe<string>("x");
        }

        private static int Twice(int x)
        {
            return x * 2;
        }

        private static string Describe<T>(T value)
        {
            return typeof(T).Name + "=" + value;
        }
    }
}
