namespace App
{
    public class Shape
    {
        public virtual string Name() => "shape";
    }

    public struct Pt
    {
        public int X;
        public int Z;
        public int Y;
    }

    public interface IThing
    {
        int Size();
    }

    public static class Program
    {
        public static string Run() => Compute(3).ToString() + new Shape().Name() + new Pt { X = 1 }.X;

        static int Compute(int x) => x * 2;
    }
}
