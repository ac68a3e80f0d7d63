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

        public static string Title => "Dr";

        public string Greet()
        {
            return "hello " + Title + " " + name + " aged " + Age;
        }
    }

    public static class Program
    {
        public static string Run()
        {
            var p = new Person("ann") { Age = 30 };
            return p.Greet();
        }
    }
}
