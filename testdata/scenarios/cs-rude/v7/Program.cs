namespace App
{
    public class Shape
    {
    }

    public struct Pt
    {
        public int X;
        public int Z;
    }

    public interface IThing
    {
        int Size();
    }

    public static class Program
    {
        public static string Run() => Compute(3).ToString() + new Pt { X = 1 }.X;

        static int Compute(int x) => x * 2;
    }
}
