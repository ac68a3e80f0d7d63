using System;
using System.Text.RegularExpressions;

namespace App
{
    public static class Program
    {
        public static string Run()
        {
            string replaced = Regex.Replace("a1b22c333", "[0-9]+", "#");
            bool matches = Regex.IsMatch("hot-reload", "^[a-z]+-[a-z]+$");
            return replaced + " " + matches;
        }
    }
}
