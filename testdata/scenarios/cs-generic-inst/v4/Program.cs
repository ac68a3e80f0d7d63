using System.Collections.Generic;

namespace App
{
    public static class Program
    {
        public static string Describe<T>(T value)
        {
            return typeof(T).Name + "(" + value + ")";
        }

        public static string Run()
        {
            KeyValuePair<string, int> kv = new KeyValuePair<string, int>("k", 7);
            Dictionary<int, string> d2 = new Dictionary<int, string>();
            d2[7] = "seven";
            return Describe(kv) + " " + Describe(d2[kv.Value]);
        }
    }
}
