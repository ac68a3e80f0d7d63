' Sample for `emit-delta watch`: each line read from stdin prints the computed value
' and this process id. Edit Compute and save: the next line shows the new value.
Imports System

Module Program
    Function Compute() As Integer
        Return 6 * 7
    End Function

    Sub Main()
        Dim line As String = Console.ReadLine()
        Do While line IsNot Nothing
            Console.WriteLine("value: " & Compute().ToString() & " pid: " & Environment.ProcessId.ToString())
            line = Console.ReadLine()
        Loop
    End Sub
End Module
