using System.Collections.Generic;
using System.Globalization;

namespace App
{
    public struct Point
    {
        public int X;
        public int Y;

        public Point(int x, int y)
        {
            X = x;
            Y = y;
        }

        public override string ToString()
        {
            return "(" + X + "," + Y + ")";
        }
    }

    public static class Program
    {
        public static string Run()
        {
            int count = 4;
            string name = "beta";
            double ratio = count / 8.0;
            List<int> list = new List<int>();
            list.Add(count);
            list.Add(count + 1);
            list.Add(count + 2);
            Point p = new Point(count, list.Count);
            Point q = default(Point);
            q.X = p.Y * 2;
            long big = 1L << 40;
            return name + ":" + ratio.ToString(CultureInfo.InvariantCulture) + ":" + list[2] + ":" + p + ":" + q.X + ":" + big;
        }
    }
}
