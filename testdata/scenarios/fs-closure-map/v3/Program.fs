module App.Program

open System

let Run () : string =
    let factor = 1
    let xs = [ 1; 2; 3 ]
    let ys = xs |> List.map (fun x -> x * x - factor)
    String.Join(",", ys)
