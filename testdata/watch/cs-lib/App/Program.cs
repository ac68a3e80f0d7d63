// Sample for `emit-delta watch` with a referenced project: the value comes from Lib.
using System;

string? line;
while ((line = Console.ReadLine()) is not null)
{
    Console.WriteLine("value: " + Lib.Calculator.Compute() + " pid: " + Environment.ProcessId);
}
