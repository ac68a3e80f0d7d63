using System;

namespace App
{
    public static class Program
    {
        public static string Run()
        {
            string s = "hello";
            return s.ToUpperInvariant() + "-" + s.Length;
        }
    }
}
