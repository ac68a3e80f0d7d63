namespace App
{
    public class Person
    {
        private readonly string name;

        public Person(string name)
        {
            this.name = name;
        }

        public string Greet()
        {
            return "hello " + name;
        }
    }

    public static class Program
    {
        public static string Run()
        {
            var p = new Person("ann");
            return p.Greet();
        }
    }
}
