// Sample for `emit-delta watch`: each line read from stdin prints the computed value
// and this process id. Edit compute and save: the next line shows the new value.
module FsApp.Program

open System

let compute () =
    6 * 7

[<EntryPoint>]
let main _ =
    let mutable line = Console.ReadLine()
    while not (isNull line) do
        printfn "value: %d pid: %d" (compute ()) Environment.ProcessId
        line <- Console.ReadLine()
    0
