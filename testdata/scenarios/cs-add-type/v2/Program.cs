using System.Collections.Generic;

namespace App
{
    public class Circle
    {
        private readonly double radius;
        public static int Made;

        public Circle(double radius)
        {
            this.radius = radius;
        }

        public double Area()
        {
            return 3 * radius * radius;
        }

        public override string ToString()
        {
            return "Circle(" + radius + ")";
        }
    }

    public record Point(int X, int Y);

    public class Box<T>
    {
        private readonly List<T> items = new List<T>();

        public void Add(T item)
        {
            items.Add(item);
        }

        public int Count => items.Count;
    }

    public static class Program
    {
        public static string Run()
        {
            var c = new Circle(2);
            var p = new Point(1, 2);
            var moved = p with { Y = 5 };
            var box = new Box<string>();
            box.Add("a");
            box.Add("b");
            return "shapes: " + c + " " + c.Area() + " " + moved + " " + (p == new Point(1, 2)) + " box " + box.Count;
        }
    }
}
