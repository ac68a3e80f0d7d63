using System.Collections.Generic;

namespace App
{
    public interface IShape
    {
        double Area();
        string Name { get; }
    }

    public enum Color
    {
        Red,
        Green = 5,
        Blue,
    }

    public struct Size
    {
        public int Width;
        public int Height;

        public Size(int width, int height)
        {
            Width = width;
            Height = height;
        }

        public int Cells() => Width * Height;
    }

    public class Square : IShape
    {
        private readonly double side;

        public Square(double side)
        {
            this.side = side;
        }

        public double Area() => side * side;

        public string Name => "square";
    }

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
            return 3.14 * radius * radius;
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
            IShape s = new Square(3);
            var size = new Size(2, 4);
            var c = new Circle(1);
            return "shapes: " + s.Name + " " + s.Area() + " " + Color.Blue + " " + (int)Color.Blue + " cells " + size.Cells() + " " + c.Area();
        }
    }
}
