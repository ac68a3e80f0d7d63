module App.Program

open System

let Run () : string =
    let factor = 100
    let xs = [ 1; 2; 3 ]
    let ys = xs |> List.map (fun x -> (x % 2) * factor + x)
    String.Join(",", ys)
