namespace App
{
    public class Person
    {
        private readonly string name;

        public Person(string name)
        {
            this.name = name;
        }

        public int Age { get; set; }

        public static string Title => "Prof";

        public event System.Action<string> Greeted;

        public string Greet()
        {
            string text = "hello " + Title + " " + name + " aged " + Age;
            Greeted?.Invoke(text);
            return text;
        }
    }

    public static class Program
    {
        public static string Run()
        {
            var p = new Person("ann") { Age = 31 };
            string heard = "";
            p.Greeted += t => heard = "heard " + t.Length;
            string said = p.Greet();
            return said + " / " + heard;
        }
    }
}
