// Sample for the watch latency benchmark (20 source files): prints the computed value and
// this process id for each line read from stdin, or, when SAMPLE_PORT is set, for each
// connection to 127.0.0.1:SAMPLE_PORT. Edit Calculator.fs and save.
module FsApp20.Program

open System
open System.Net
open System.Net.Sockets
open System.Text

let line () =
    sprintf "value: %d pid: %d" (Calculator.compute ()) Environment.ProcessId

[<EntryPoint>]
let main _ =
    match Environment.GetEnvironmentVariable "SAMPLE_PORT" with
    | null ->
        let mutable input = Console.ReadLine()
        while not (isNull input) do
            Console.WriteLine(line ())
            input <- Console.ReadLine()
        0
    | port ->
        let listener = TcpListener(IPAddress.Loopback, int port)
        listener.Start()
        while true do
            use client = listener.AcceptTcpClient()
            let bytes = Encoding.ASCII.GetBytes(line () + "\n")
            client.GetStream().Write(bytes, 0, bytes.Length)
        0
