using System.Threading.Tasks;
namespace App
{
    public static class Program
    {
        public static string Run() => "load " + Load().Result;
        static async Task<int> Load() { await Task.Yield(); return 1; }
    }
}
