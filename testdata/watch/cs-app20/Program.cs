// Sample for the watch latency benchmark (20 source files): prints the computed value and
// this process id for each line read from stdin, or, when SAMPLE_PORT is set, for each
// connection to 127.0.0.1:SAMPLE_PORT (so that `dotnet watch` can be measured the same
// way). Edit Calculator.cs and save.
using System;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CsApp20;

internal static class Program
{
    private static string Line() => "value: " + Calculator.Compute() + " pid: " + Environment.ProcessId;

    private static void Main()
    {
        var port = Environment.GetEnvironmentVariable("SAMPLE_PORT");
        if (port is not null)
        {
            var listener = new TcpListener(IPAddress.Loopback, int.Parse(port));
            listener.Start();
            while (true)
            {
                using var client = listener.AcceptTcpClient();
                client.GetStream().Write(Encoding.ASCII.GetBytes(Line() + "\n"));
            }
        }
        while (Console.ReadLine() is not null)
        {
            Console.WriteLine(Line());
        }
    }
}
