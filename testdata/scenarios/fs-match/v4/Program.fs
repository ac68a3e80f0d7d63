module App.Program

open System

let classify (n: int) : string =
    match n with
    | 0 | 1 -> "low"
    | m when m > 4 -> "high:" + string m
    | _ -> "mid"

let Run () : string =
    String.Join(" ", [ classify 0; classify 1; classify 5; classify 3 ])
