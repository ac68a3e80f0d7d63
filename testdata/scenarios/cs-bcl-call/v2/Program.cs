using System;
using System.Globalization;
using System.Text;

namespace App
{
    public static class Program
    {
        public static string Run()
        {
            StringBuilder sb = new StringBuilder();
            sb.Append("hello".ToUpperInvariant());
            sb.Append('|');
            sb.Append(Math.Round(3.14159, 2).ToString(CultureInfo.InvariantCulture));
            string[] parts = new string[] { "a", "b", "c" };
            sb.Append(string.Join(",", parts));
            return sb.ToString();
        }
    }
}
